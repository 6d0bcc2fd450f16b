"""Scrapy's side of scripts/bench/crawl.sh: the same crawl leakwatch makes of
the fixture market's shop (by path), doing comparable work per page: follow
in-scope links, take the title and the visible text.

Run by crawl.sh as: scrapy runspider crawl_spider.py -a start=URL -a stats=FILE -s ...
"""
import json
import re
import urllib.parse

import scrapy
from scrapy.linkextractors import LinkExtractor


class MarketSpider(scrapy.Spider):
    name = "market"

    def __init__(self, start, stats, strip="", *args, **kwargs):
        """start: one URL or several, comma-separated (each is also an allowed
        prefix); strip: query parameters to drop from links, comma-separated
        (session ids, as a Scrapy user would with a url canonicalizer)."""
        super().__init__(*args, **kwargs)
        self.start_urls = start.split(",")
        self.stats_file = stats
        self.strip = set(filter(None, strip.split(",")))
        self.links = LinkExtractor(allow=[re.escape(s) for s in self.start_urls],
                                   deny=[r"calendar", r"log-?in", r"log-?out"], process_value=self.drop_params)

    def drop_params(self, url):
        if not self.strip or "?" not in url:
            return url
        split = urllib.parse.urlsplit(url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(split.query, keep_blank_values=True)
                 if k not in self.strip]
        return urllib.parse.urlunsplit(split._replace(query=urllib.parse.urlencode(query)))

    def parse(self, response):
        if not hasattr(response, "text"):
            return  # not text
        title = response.css("title::text").get(default="")
        text = "\n".join(t.strip() for t in response.xpath(
            "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip())
        yield {"url": response.url, "title": title, "chars": len(text)}
        for link in self.links.extract_links(response):
            yield response.follow(link.url, callback=self.parse)

    def closed(self, reason):
        stats = self.crawler.stats.get_stats()
        with open(self.stats_file, "w") as f:
            json.dump({"responses": stats.get("response_received_count", 0),
                       "items": stats.get("item_scraped_count", 0),
                       "reason": reason}, f)
