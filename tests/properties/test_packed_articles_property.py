"""Whatever a ticket's articles go through (added to, stored in a snapshot and
loaded packed again, copied, read), they are the list a plain list would be."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.articles import Article, Articles
from tests.snapshotted import through_a_snapshot

BODIES = st.text(min_size=1, max_size=40)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), BODIES),
        st.tuples(st.just("snapshot"), st.just("")),
        st.tuples(st.just("copy"), st.just("")),
        st.tuples(st.just("read"), st.just("")),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_articles_are_the_list_they_model(steps: list[tuple[str, str]]) -> None:
    articles, model = Articles(), list[Article]()
    for n, (step, body) in enumerate(steps):
        if step == "add":
            article = Article(f"a{n}", "agent", "internal", "note", body)
            articles.append(article)
            model.append(article)
        elif step == "snapshot":
            articles = through_a_snapshot(articles)
            assert articles.still_packed() is not None
        elif step == "copy":
            articles = pickle.loads(pickle.dumps(articles))
        else:
            assert list(articles) == model
        assert len(articles) == len(model)
        assert articles.ids() == [a.article_id for a in model]
    assert articles == model
