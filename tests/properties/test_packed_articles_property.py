"""Whatever a ticket's articles go through (added to, stored in a snapshot and
loaded packed again, copied, read), they are the list a plain list would be."""

from __future__ import annotations

import pickle
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.articles import Article, Articles
from domain.desk.snapshots import SnapshotMapper, state_transcoder

MAPPER = SnapshotMapper(Mapper(state_transcoder()))
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


class _Holder:
    """Stands in for a ticket: a snapshot is taken of its attributes."""

    id = UUID(int=1)
    version = 1

    def __init__(self, articles: Articles) -> None:
        self.articles = articles


def through_a_snapshot(articles: Articles) -> Articles:
    """The articles stored in a snapshot and loaded back (packed)."""
    taken: Any = Snapshot.take(_Holder(articles))
    loaded: Any = MAPPER.to_domain_event(MAPPER.to_stored_event(taken))
    back = loaded.state["articles"]
    assert isinstance(back, Articles)
    return back


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
