"""The shop's traps: a flaky page, a slow one, a huge one (plain and
gzip-encoded), bad UTF-8, GBK pages, mirrors, a redirect loop, images and
files, and the attachments' dump.
"""

import zlib

from content import (HANZI_SURNAMES, HUGE_LINE, JPEG_BYTES, ZIP_BYTES, Person, huge_parts, make_person, page,
                     records_table, rng_for)
import attachments
from response import Response, not_found, redirect


def trap_record(state, name):
    rng = rng_for(state.catalog.seed, "trap", name)
    return make_person(rng)


def trap(state, ctx):
    path = ctx.path
    if path == "/flaky":
        if state.first_flaky((ctx.scheme_host, ctx.base, path)):
            return Response(503, page("Maintenance", "<h1>503 Service Unavailable</h1>"),
                            headers=[("Retry-After", "1")])
        person = trap_record(state, "flaky")
        return Response(200, page("Status", "<h1>Back online</h1>" + records_table([person], 0)))
    if path == "/slow":
        person = trap_record(state, "slow")
        return Response(200, page("Slow mirror", "<h1>Slow</h1>" + records_table([person], 0)),
                        delay=state.args.slow_s)
    if path == "/huge":
        return huge_response(state, ctx)
    if path == "/bad-utf8":
        person = trap_record(state, "bad-utf8")
        body = page("Legacy \xe9", "<h1>Legacy</h1><p>broken: @@BAD@@ end</p>" + records_table([person], 0))
        raw = body.encode("utf-8").replace(b"@@BAD@@", b"\xff\xfe\xc3\x28 \xe2\x82 \xf0\x90\x80")
        return Response(200, raw)
    if path in ("/gbk-header", "/gbk-meta"):
        person = trap_record(state, path)
        name = rng_for(state.catalog.seed, "gbk", path).choice(HANZI_SURNAMES) + "伟"
        people = [Person(name, person.email, person.phone)]
        if path == "/gbk-header":
            text = ("<!DOCTYPE html><html><head><title>苹果账号出售</title></head><body>"
                    "<h1>苹果账号 数据 出售</h1>%s</body></html>" % records_table(people, 0))
            return Response(200, text.encode("gbk"), content_type="text/html; charset=GBK")
        text = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
                "<title>手机号码 数据库</title></head><body><h1>手机号码 数据库</h1>%s</body></html>"
                % records_table(people, 0))
        return Response(200, text.encode("gbk"), content_type="text/html")
    if path == "/dup-a" or path == "/dup-b":
        person = trap_record(state, "dup")
        return Response(200, page("Mirror", "<h1>Mirror</h1>" + records_table([person], 0)))
    if path == "/loop/a":
        return redirect(ctx.link("/loop/b"))
    if path == "/loop/b":
        return redirect(ctx.link("/loop/a"))
    if path.startswith("/img/"):
        return Response(200, JPEG_BYTES, content_type="image/jpeg", compressible=False)
    if path == attachments.LISTING:
        return Response(200, state.attachments.listing_html(ctx))
    if path == attachments.BARE_LISTING:
        return Response(200, state.attachments.bare_listing_html(ctx))
    if path.startswith(attachments.BARE_FILES):
        found = state.attachments.bare_files.get(path[len(attachments.BARE_FILES):])
        if found is None:
            return not_found()
        return Response(200, found[0], content_type=found[1], compressible=False)
    if path.startswith(attachments.FILES):
        found = state.attachments.files.get(path[len(attachments.FILES):])
        if found is None:
            return not_found()
        return Response(200, found[0], content_type=found[1], compressible=False)
    if path.startswith("/files/"):
        return Response(200, ZIP_BYTES, content_type="application/zip", compressible=False)
    return None


def huge_response(state, ctx):
    total = int(state.args.huge_mb * 1024 * 1024)
    start, reps, end = huge_parts(total)
    length = len(start) + reps * len(HUGE_LINE) + len(end)

    def stream(write):
        write(start)
        block = HUGE_LINE * 64
        left = reps
        while left >= 64:
            write(block)
            left -= 64
        write(HUGE_LINE * left)
        write(end)

    return Response(200, stream=stream, length=length, compressible=True)


def huge_gzip(state):
    with state.lock:
        if state.huge_gzip is None:
            total = int(state.args.huge_mb * 1024 * 1024)
            start, reps, end = huge_parts(total)
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            out = [comp.compress(start)]
            block = HUGE_LINE * 64
            for _ in range(reps // 64):
                out.append(comp.compress(block))
            out.append(comp.compress(HUGE_LINE * (reps % 64)))
            out.append(comp.compress(end))
            out.append(comp.flush())
            state.huge_gzip = b"".join(out)
        return state.huge_gzip
