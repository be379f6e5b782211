"""The crawler's own Scrapy signals (sent with crawler.signals.send_catch_log)."""

# A feed's entries were not all handled in this run for a reason that may pass (a timeout, a 5xx, a
# worker that died): its ETag / Last-Modified must not be saved, so the next run reads it in full again.
# Arguments: feed_url (str).
feed_incomplete = object()
