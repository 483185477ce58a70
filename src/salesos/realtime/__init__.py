"""Realtime hints to browsers: a per-process hub (memory or Redis) and the SSE endpoint."""

from salesos.realtime.hub import RESYNC, Event, Hub, Subscription, SubscriptionClosed, get_hub, set_hub

__all__ = ["RESYNC", "Event", "Hub", "Subscription", "SubscriptionClosed", "get_hub", "set_hub"]
