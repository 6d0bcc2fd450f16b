"""The forum market (phpBB-like): forum indexes, topics in pages, a new
session id in every link.
"""

from content import POSTS_PER_THREAD_PAGE, THREADS_PER_FORUM_PAGE, esc, page, render_phone
from response import Response, not_found


def forum(state, ctx):
    cat = state.catalog
    sid = state.new_sid()
    path = ctx.path
    if path == "/":
        body = ["<h1>Breach Forum</h1>", "<ul>"]
        for f, name in ((1, "Databases"), (2, "Combolists")):
            body.append("<li><a href=\"./viewforum.php?f=%d&amp;sid=%s\">%s</a></li>" % (f, sid, name))
        body.append("</ul>")
        return Response(200, page("Breach Forum", "\n".join(body)))
    if path == "/viewforum.php":
        try:
            f = int(ctx.query.get("f", "0"))
            start = int(ctx.query.get("start", "0"))
        except ValueError:
            return not_found()
        if f not in (1, 2):
            return not_found()
        threads = [t for t in range(f, cat.forum_threads + 1, 2)]
        chunk = threads[start:start + THREADS_PER_FORUM_PAGE]
        if start and not chunk:
            return not_found()
        body = ["<h1>Forum %d</h1>" % f, "<table class=\"topics\">"]
        for t in chunk:
            body.append("<tr><td><a href=\"./viewtopic.php?t=%d&amp;sid=%s\">%s</a></td><td>%d pages</td></tr>"
                        % (t, sid, esc(cat.thread_title(t)), cat.thread_pages(t)))
        body.append("</table>")
        head = ""
        if start + THREADS_PER_FORUM_PAGE < len(threads):
            nxt = "./viewforum.php?f=%d&amp;start=%d&amp;sid=%s" % (f, start + THREADS_PER_FORUM_PAGE, sid)
            head = "<link rel=\"next\" href=\"%s\">" % nxt
            body.append("<a href=\"%s\">Next</a>" % nxt)
        return Response(200, page("Forum %d" % f, "\n".join(body), head))
    if path == "/viewtopic.php":
        try:
            t = int(ctx.query.get("t", "0"))
            start = int(ctx.query.get("start", "0"))
        except ValueError:
            return not_found()
        if not 1 <= t <= cat.forum_threads or start % POSTS_PER_THREAD_PAGE:
            return not_found()
        page_no = start // POSTS_PER_THREAD_PAGE + 1
        pages = cat.thread_pages(t)
        if page_no > pages:
            return not_found()
        return Response(200, forum_thread_html(state, ctx, t, page_no, pages, sid))
    return not_found()


def topic_href(t, page_no, sid):
    if page_no == 1:
        return "./viewtopic.php?t=%d&amp;sid=%s" % (t, sid)
    return "./viewtopic.php?t=%d&amp;start=%d&amp;sid=%s" % (t, (page_no - 1) * POSTS_PER_THREAD_PAGE, sid)


def forum_thread_html(state, ctx, t, page_no, pages, sid):
    cat = state.catalog
    head = ""
    nav = []
    if page_no < pages:
        head = "<link rel=\"next\" href=\"%s\">" % topic_href(t, page_no + 1, sid)
    if page_no > 1:
        nav.append("<a rel=\"prev\" href=\"%s\">Previous</a>" % topic_href(t, page_no - 1, sid))
    for n in range(1, pages + 1):
        nav.append("<a href=\"%s\">%d</a>" % (topic_href(t, n, sid), n))
    body = ["<h2 class=\"topic-title\">%s</h2>" % esc(cat.thread_title(t)),
            "<div class=\"pagination\">%s</div>" % " ".join(nav)]
    for author, rows in cat.thread_page_posts(t, page_no):
        lines = "<br>".join("%s | %s | %s" % (esc(p.name), esc(p.email), esc(render_phone(p.phone, 2)))
                            for p in rows)
        body.append("<div class=\"post\"><p class=\"author\">%s</p><div class=\"postbody\">"
                    "Samples from my dump:<br>%s</div></div>" % (esc(author), lines))
    if page_no == 1:
        planted = cat.planted.get(("forum", t))
        if planted:
            lines = "<br>".join("%s | %s | %s" % (esc(p.name), esc(p.email), esc(p.phone)) for p in planted)
            body.append("<div class=\"post\"><p class=\"author\">insider</p><div class=\"postbody\">%s</div></div>"
                        % lines)
    return page(cat.thread_title(t), "\n".join(body), head)
