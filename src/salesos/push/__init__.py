"""Web Push subscriptions: each signed-in device that opted in, and delivery to them."""
