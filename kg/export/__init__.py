"""Writing what the store holds back out in the formats its sources came in (concept lists, …)."""
