"""The browser half of bench/search.sh: one 2-word query in headless
Chromium (selenium + chromedriver), for Portico's index and for Pagefind's,
both served over HTTP, counting every byte the page downloads for it.

    search_browser.py PORTICO_SITE PAGEFIND_PARENT PAGEFIND_DIR_NAME QUERY

Prints one JSON object: {"portico": {...}, "pagefind": {...}}.
"""
import functools
import http.server
import json
import os
import socketserver
import sys
import threading

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

site, pf_parent, pf_name, query = sys.argv[1:5]


# Every file served, with its size: counted at the server, because
# Pagefind fetches from a web worker, which the page's resource timing
# does not see.
served = []


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        try:
            served.append((self.path, os.fstat(source.fileno()).st_size))
        except (OSError, ValueError, AttributeError, __import__("io").UnsupportedOperation):
            pass
        super().copyfile(source, outputfile)


def serve(folder):
    handler = functools.partial(Handler, directory=folder)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


options = webdriver.ChromeOptions()
options.binary_location = "/usr/lib/chromium/chromium"
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
    options.add_argument(arg)
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
driver.set_script_timeout(120)



def count(wanted):
    """Bytes and files served for search since the last count."""
    files = [f for f in served if wanted(f[0])]
    served.clear()
    return {"bytes": sum(size for _, size in files), "files": len(files),
            "largest": sorted(files, key=lambda f: -f[1])[:5]}


# Portico: the page's own search box, typed into like a user; the page
# records the time from the last keystroke to the results drawn.
port = serve(site)
driver.get(f"http://127.0.0.1:{port}/index.html")
WebDriverWait(driver, 60).until(lambda d: d.execute_script("return !!window.porticoSearchQuery"))
box = driver.find_element(By.CSS_SELECTOR, "form.search input")
box.send_keys(query)
WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".search-hits a"))
WebDriverWait(driver, 60).until(
    lambda d: d.find_element(By.CSS_SELECTOR, "form.search").get_attribute("data-ms")
)
portico = count(lambda p: "/_search/" in p or p.endswith(("/search.js", "/stem.js")))
portico["keystroke_to_results_ms"] = int(
    driver.find_element(By.CSS_SELECTOR, "form.search").get_attribute("data-ms")
)
portico["first"] = driver.find_element(By.CSS_SELECTOR, ".search-hits a").get_attribute("href")
portico["matches"] = driver.find_element(By.CSS_SELECTOR, ".search-status").text
# One more keystroke (a space: the last word is no longer a prefix), the
# index parts for these words already loaded.
box.send_keys(" ")
WebDriverWait(driver, 60).until(
    lambda d: d.find_element(By.CSS_SELECTOR, "form.search").get_attribute("data-query") == query + " "
)
portico["next_keystroke_ms"] = int(
    driver.find_element(By.CSS_SELECTOR, "form.search").get_attribute("data-ms")
)
# The same query again, everything loaded: the cost of ranking alone.
portico["warm_ms"] = driver.execute_async_script(
    """const done = arguments[1]; const t = performance.now();
    porticoSearchQuery(arguments[0], {limit: 10}).then(() => done(Math.round(performance.now() - t)));""",
    query,
)

# Pagefind: its JS API (what its UI calls), the 10 first results' data.
port = serve(pf_parent)
served.clear()
driver.get(f"http://127.0.0.1:{port}/")
pagefind = driver.execute_async_script(
    """const [name, q, done] = arguments;
    (async () => {
      const t0 = performance.now();
      const pf = await import("./" + name + "/pagefind.js");
      const search = await pf.search(q);
      const hits = await Promise.all(search.results.slice(0, 10).map(r => r.data()));
      const cold = performance.now() - t0;
      const t1 = performance.now();
      const again = await pf.search(q);
      await Promise.all(again.results.slice(0, 10).map(r => r.data()));
      done({cold_ms: Math.round(cold), warm_ms: Math.round(performance.now() - t1),
            matches: search.results.length, first: hits[0] && hits[0].url});
    })().catch(e => done({error: String(e)}));""",
    pf_name,
    query,
)
pagefind.update(count(lambda p: p != "/"))
driver.quit()
print(json.dumps({"portico": portico, "pagefind": pagefind}))
