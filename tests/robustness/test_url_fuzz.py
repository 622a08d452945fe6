"""Hypothesis-fuzzed URL parameters on every page (AppTest on the real DB): no uncaught exception, ever.

Each page gets ``EXAMPLES`` random sets of parameters: known names with valid, odd and hostile values (SQL, paths,
HTML, control characters, huge numbers, very long text), and unknown names. An AppTest session is reused for
``RESTART`` cases, like a user editing the link in the same tab, then a fresh session starts (a new visitor).
"""

from __future__ import annotations

import base64
import os
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from mapping.config import PROJECT_ROOT
from mapping.deck import model
from tests.robustness.test_visitor_text import _leaks

pytestmark = pytest.mark.integration

PAGES = [
    "pages/map.py",
    "pages/region.py",
    "pages/clusters.py",
    "pages/scoreboard.py",
    "pages/related.py",
    "pages/compare.py",
    "pages/escp.py",
    "pages/data.py",
    "pages/deck.py",
]
EXAMPLES = int(os.environ.get("CLUSTERMAP_FUZZ_EXAMPLES", "127"))  # per page: 9 x 127 = 1,143 cases
RESTART = 40

# A deck share value as the Deck page writes it, one cut short, and a compressed bomb (issue 15).
_DECK = model.to_share(model.Deck("T", [model.Slide("/clusters?sector=C29", "[x](https://evil.example/)")]))
_BOMB = base64.urlsafe_b64encode(zlib.compress(b"{" * 2_000_000, 9)).decode().rstrip("=")

NAMES = [
    # shared and per-page parameters (grep 'param="' in pages/ and mapping/ui/)
    "region", "regions", "country", "countries", "year", "indicator", "level", "sector", "present", "embed",
    "tab", "view", "palette", "overlay", "colour", "base", "set", "method", "lq", "top", "cmplq", "cmpsize",
    "move", "alt", "count", "score", "dim", "norm", "peers", "foreign", "chart", "metric", "programmes", "full",
    "partnership", "q", "source", "xmethod", "report", "table", "fmt", "sql", "by", "phi", "res", "minsec", "cov",
    "group", "gname", "deck",
    # unknown ones
    "x", "__proto__", "page", "region[]",
]  # fmt: skip

INTERESTING = [
    "", "0", "1", "2", "3", "-1", "2014", "2022", "2023", "1999", "99999", "DE11", "DE", "PL91", "FRK2", "UKI3", "PL12",
    "EU27_2020", "C29", "C10", "ris.0", "ris.1.2.1", "eurostat.unemployment_rate", "legacy.gdp", "division",
    "section", "manuf2022", "observatory", "panorama", "cmp", "sector", "portfolio", "summary", "sensitivity",
    "countries", "partnerships", "coparticipation", "compare", "gap", "import", "console", "downloads", "sources",
    "indicators", "crosswalk", "report", "methods", "csv", "parquet", "employment", "region_geometry", "minmax", "z",
    "radar", "parallel", "3d", "map", "DE11,FR10,PL91", "DE11,DE11,DE11", "ES,PL,SE", "ESCP-4x,ESCP-4i", "true",
    "false", "on", "nan", "NaN", "inf", "-inf", "1e308", "-0", "1.5", "2.0", "0x10", "../../etc/passwd",
    "/etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "DE11' OR '1'='1",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT 1", "SELECT count(*) FROM sources", "DROP TABLE sources", "SELECT 1; DROP TABLE sources", "%00", "\x00",
    "\n", "\t", "😀", "ℌ", "Ｄ Ｅ", "x" * 5000, ",,,", "DE11," * 60, " DE11 ", "de11",
    # Markdown and HTML a link may carry: shown as text, never as a link, an image or a tag
    "[Session expired: sign in again](https://evil.example/)", "![](//127.0.0.1:9/b)", "![](//127.0.0.1:9/b),DE21,FR10",
    "<img src=//127.0.0.1:9/c onerror=alert(1)>", "**bold** _it_ `code`", ":red[alert] :material/warning:",
    "[a](javascript:alert(1))", _DECK, _DECK[:-7], _BOMB, "<a href='https://evil.example'>x</a>", "$$x^2$$",
]  # fmt: skip

VALUES = st.one_of(
    st.sampled_from(INTERESTING),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVZ0123456789,._-", max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.lists(st.sampled_from(["DE11", "FR10", "PL91", "ES", "SE", "XX", "", "C29", "ris.0"]), max_size=15).map(
        ",".join
    ),
)
# Valid values reach the deep parts of each page (charts, tables, the console); random ones are laid over them.
VALID = {
    "indicator": ["ris.0", "eurostat.unemployment_rate", "rci.early_school_leavers"],
    "level": ["0", "1", "2", "3"],
    "year": ["2014", "2021", "2023"],
    "country": ["DE", "PL", "ES"],
    "region": ["DE11", "PL91", "FRK2", "ITC2"],
    "regions": ["DE11,FR10,PL91", "DE21,DE11", "SE11,FI1B,DK01,NL32,BE10"],
    "sector": ["C29", "C10", "J62"],
    "tab": ["sector", "portfolio", "summary", "sensitivity", "countries", "partnerships", "coparticipation",
            "compare", "gap", "import", "sources", "indicators", "crosswalk", "report", "methods", "console",
            "downloads"],
    "set": ["division", "section", "manuf2022"],
    "method": ["observatory", "panorama", "cmp"],
    "countries": ["ES,PL,SE", "DE,FR"],
    "peers": ["DE21,FR10", "PL91"],
    "chart": ["radar", "parallel"],
    "sql": ["SELECT * FROM sources", "SELECT count(*) FROM employment", "DESCRIBE indicators"],
    "table": ["sources", "region_geometry", "escp_members"],
    "fmt": ["csv", "parquet"],
    "present": ["1"],
    "embed": ["true"],
}  # fmt: skip


@st.composite
def url_params(draw) -> dict[str, str]:
    keys = draw(st.sets(st.sampled_from(sorted(VALID)), max_size=6))
    base = {k: draw(st.sampled_from(VALID[k])) for k in sorted(keys)}
    return base | draw(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4))


PARAMS = url_params()

ran: dict[str, int] = {}


@pytest.fixture(scope="module")
def sessions(real_db):
    os.environ["CLUSTERMAP_DB"] = str(real_db)  # AppTest runs the script in this process
    yield {}
    os.environ.pop("CLUSTERMAP_DB", None)


def _session(sessions: dict, page: str) -> AppTest:
    at, used = sessions.get(page, (None, RESTART))
    if used >= RESTART:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(page)
        used = 0
    sessions[page] = (at, used + 1)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_random_url_parameters_never_raise(page, sessions):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("CLUSTERMAP_FUZZ_RANDOM") != "1",  # the same cases on every run unless asked
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(params=PARAMS)
    def one_case(params):
        at = _session(sessions, page)
        at.query_params.clear()
        at.query_params.update(params)
        at.run()
        ran[page] = ran.get(page, 0) + 1
        assert not at.exception, (params, [e.value for e in at.exception][:1])
        assert _leaks(at) == [], params  # a link's Markdown or HTML is shown as text

    one_case()


def test_at_least_1000_cases_ran():
    if len(ran) < len(PAGES):
        pytest.skip("run with the fuzz tests above")
    assert sum(ran.values()) >= 1000 or EXAMPLES < 127, ran
