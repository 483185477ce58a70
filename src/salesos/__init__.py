"""SalesOS: an open-source, self-hostable, AI-assisted sales operating system."""

__version__ = "0.1.0"
