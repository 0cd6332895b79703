"""The Slack side of the app: the Web API client and the gateway the domain talks through."""
