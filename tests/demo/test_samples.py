"""`make pdf-samples`: one of each document from the demo, and no temporary database left."""

from __future__ import annotations

import tempfile


def test_samples_are_written_and_the_temporary_instance_is_removed(tmp_path, monkeypatch):
    from portal.demo import samples

    made = []
    original = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        path = original(*args, dir=str(tmp_path), **kwargs)
        made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    written = samples.make_samples(tmp_path / "pdf-samples")
    names = {p.name for p in written}
    assert {"1-zorgovereenkomst.pdf", "2-urenbriefje.pdf", "3-budgetoverzicht-jaar.pdf",
            "3-budgetoverzicht-maand.pdf", "4-betaalspecificatie.pdf",
            "5-afwijzingsbrief.pdf"} <= names
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written)
    instances = [path for path in made if "pgb-samples-" in path]
    assert len(instances) == 1
    assert not (tmp_path / instances[0]).exists()
