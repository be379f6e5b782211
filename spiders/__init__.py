"""Thin Scrapy spiders: `feeds` crawls the configured sources, `scrape` fetches given URLs once."""
