"""Scrapy's side of scripts/bench/crawl.sh: the same crawl leakwatch makes of
the fixture market's shop (by path), doing comparable work per page: follow
in-scope links, take the title and the visible text.

Run by crawl.sh as: scrapy runspider crawl_spider.py -a start=URL -a stats=FILE -s ...
"""
import json
import re

import scrapy
from scrapy.linkextractors import LinkExtractor


class MarketSpider(scrapy.Spider):
    name = "market"

    def __init__(self, start, stats, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [start]
        self.stats_file = stats
        prefix = re.escape(start)
        self.links = LinkExtractor(allow=[prefix], deny=[r"calendar", r"log-?in", r"log-?out"])

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
