"""A stand-in for Slack (Web API + the requests Slack sends) and the local browser sandbox."""
