"""Risk recognition (self-harm, harm to others, abuse or neglect, a crisis now, a threat
to the practitioner) before any boundary discussion. Free of Slack.

from bot.risk import assess
assess("she has a plan to kill herself this weekend").kind  # "self_harm"
"""

from .recognizer import KINDS, PRIORITY, Cue, Recognizer, RiskAssessment, assess, assess_many, get_recognizer

__all__ = ["KINDS", "PRIORITY", "Cue", "Recognizer", "RiskAssessment", "assess", "assess_many", "get_recognizer"]
