"""Reading files safely: only regular files, bounded reads, each file once, plain errors."""

from __future__ import annotations

import os

import pytest

from leadflow import ConfigurationError, RuleSyntaxError
from leadflow.rules import load, parse

from .helpers import NOW, lead


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def raised(call) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        call()
    return info.value


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "fifo.lf")
    write(tmp_path / "main.lf", 'mql when employees > 5\ninclude "fifo.lf"\n')
    error = raised(lambda: load(tmp_path / "main.lf"))
    assert (error.line, error.column) == (2, 1)
    assert "cannot read include 'fifo.lf': it is not a regular file" in str(error)
    with pytest.raises(ConfigurationError, match="not a regular file"):
        load(tmp_path / "fifo.lf")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_a_device_is_refused_even_when_outside_is_allowed(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.lf")
    error = raised(lambda: parse('include "zero.lf"', base_dir=tmp_path, allow_outside=True))
    assert "not a regular file" in str(error)
    assert (error.line, error.column) == (1, 1)


def test_folders_are_refused_in_words(tmp_path):
    (tmp_path / "sub").mkdir()
    error = raised(lambda: parse('include "sub"', base_dir=tmp_path, source="x.lf"))
    assert str(error).startswith("x.lf:1:1: cannot read include 'sub': it is a folder, not a file")


def test_an_include_larger_than_the_limit_is_refused_at_the_include_line(tmp_path):
    write(tmp_path / "big.lf", "# " + "x" * 200 + "\n")
    error = raised(lambda: parse('\ninclude "big.lf"', base_dir=tmp_path, max_bytes=100))
    assert (error.line, error.column) == (2, 1)
    assert "include 'big.lf' has more than 100 bytes, the limit" in str(error)


def test_a_main_file_larger_than_the_limit_is_refused(tmp_path):
    write(tmp_path / "main.lf", "mql when employees > 5\n" + "# padding\n" * 50)
    error = raised(lambda: load(tmp_path / "main.lf", max_bytes=100))
    assert (error.line, error.column) == (1, 1)
    assert "the file has more than 100 bytes, the limit" in str(error)


def test_a_byte_order_mark_is_dropped_in_text_and_files(tmp_path):
    rules = parse("\ufeffmql when employees > 5")
    assert rules.evaluate(lead(employees=6), now=NOW).mql
    (tmp_path / "lists.lf").write_bytes(b'\xef\xbb\xbflist dach = ["DE"]\n')
    write(tmp_path / "main.lf", '\ufeffinclude "lists.lf"\nmql when country in dach\n')
    assert load(tmp_path / "main.lf").evaluate(lead(country="DE"), now=NOW).mql
    error = raised(lambda: parse("\ufeffmql when employes > 5", source="x.lf"))
    assert (error.line, error.column) == (1, 10)


def test_the_same_file_included_twice_is_read_once(tmp_path):
    write(tmp_path / "sub" / "l.lf", 'list dach = ["DE", "AT"]\n')
    write(
        tmp_path / "main.lf",
        'include "sub/l.lf"\ninclude "sub/../sub/l.lf"\nmql when country in dach\n',
    )
    assert load(tmp_path / "main.lf").evaluate(lead(country="AT"), now=NOW).mql


def test_a_diamond_of_includes_reads_the_shared_file_once(tmp_path):
    write(tmp_path / "shared.lf", 'list dach = ["DE", "AT", "CH"]\n')
    write(tmp_path / "a.lf", 'include "shared.lf"\nconst small = 10\n')
    write(tmp_path / "b.lf", 'include "shared.lf"\nconst big = 500\n')
    write(
        tmp_path / "main.lf",
        'include "a.lf"\ninclude "b.lf"\n'
        "mql when country in dach and employees between small and big\n",
    )
    rules = load(tmp_path / "main.lf")
    assert rules.evaluate(lead(country="CH", employees=50), now=NOW).mql


def test_a_cycle_is_still_an_error_naming_the_files(tmp_path):
    write(tmp_path / "a.lf", 'include "b.lf"\n')
    write(tmp_path / "b.lf", '\ninclude "a.lf"\n')
    error = raised(lambda: load(tmp_path / "a.lf"))
    assert (error.source, error.line, error.column) == ("b.lf", 2, 1)
    assert "include 'a.lf' makes a cycle: a.lf -> b.lf -> a.lf" in str(error)
    write(tmp_path / "self.lf", 'include "self.lf"\n')
    assert "makes a cycle: self.lf -> self.lf" in str(raised(lambda: load(tmp_path / "self.lf")))


def test_a_nul_character_in_an_include_path_is_a_syntax_error(tmp_path):
    error = raised(lambda: parse('mql when fit >= 1\ninclude "a\x00b.lf"', base_dir=tmp_path))
    assert (error.line, error.column) == (2, 1)
    assert "an include path cannot contain the character \\x00" in str(error)


def test_an_include_that_is_not_utf8_says_where(tmp_path):
    (tmp_path / "bad.lf").write_bytes(b'list z = ["\xff"]\n')
    error = raised(lambda: parse('include "bad.lf"', base_dir=tmp_path, source="x.lf"))
    assert str(error).startswith(
        "x.lf:1:1: cannot read include 'bad.lf': it is not UTF-8 text (line 1, column 12"
    )


def test_a_lone_surrogate_is_reported_as_invalid_text():
    error = raised(lambda: parse('mql when employees > 5\nmql when industry is "a\ud800"'))
    assert (error.line, error.column) == (2, 24)
    assert "not valid text: U+D800" in str(error)
    str(error).encode("utf-8")  # the message itself can be printed


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_an_include_through_a_link_pointed_elsewhere_is_read_again(tmp_path):
    (tmp_path / "v1.lf").write_text('list l = ["a"]\nscore s {\n  +1 industry in l\n}\n')
    (tmp_path / "v2.lf").write_text('list l = ["b"]\nscore s {\n  +2 industry in l\n}\n')
    (tmp_path / "main.lf").write_text('include "cur.lf"\n')
    os.symlink(tmp_path / "v1.lf", tmp_path / "cur.lf")
    first = load(tmp_path / "main.lf")
    assert load(tmp_path / "main.lf") is first  # unchanged: served from the cache
    os.remove(tmp_path / "cur.lf")
    os.symlink(tmp_path / "v2.lf", tmp_path / "cur.lf")
    second = load(tmp_path / "main.lf")
    assert second is not first
    assert second.score(lead(industry="b"), now=NOW) == {"s": 2}


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(tmp_path):
    main = tmp_path / "main.lf"
    main.write_text("score s {\n  +5 employees > 1\n}\n")
    first = load(main)
    times = main.stat()
    main.write_text("score s {\n  +6 employees > 1\n}\n")  # same length
    os.utime(main, ns=(times.st_atime_ns, times.st_mtime_ns))  # modification time put back
    second = load(main)
    assert second is not first
    assert second.score(lead(employees=5), now=NOW) == {"s": 6}


def test_explain_shows_an_include_in_place_and_a_template_after_the_file(tmp_path):
    (tmp_path / "shared.lf").write_text("score early {\n  +6  employees >= 1\n}\n")
    (tmp_path / "main.lf").write_text(
        "score fit {\n  +10  employees >= 10\n}\n"
        'include "shared.lf"\n'
        "use bant\n"
        "score late {\n  +1  employees >= 1\n}\n"
        "mql when fit >= 10\n"
    )
    text = load(tmp_path / "main.lf").evaluate(lead(employees=20), now=NOW).explain()
    order = [
        line.split()[0] + " " + line.split()[1]
        for line in text.splitlines()
        if line.startswith(("score", "qualification", "mql"))
    ]
    assert order == ["score fit", "score early", "score late", "mql =", "qualification bant"]


def test_a_template_used_in_several_included_files_is_read_once(tmp_path):
    (tmp_path / "a.lf").write_text("use bant\nscore a {\n  +1 employees > 1\n}\n")
    (tmp_path / "b.lf").write_text("use bant\nscore b {\n  +1 employees > 2\n}\n")
    (tmp_path / "main.lf").write_text('use bant\ninclude "a.lf"\ninclude "b.lf"\nuse bant\n')
    rules = load(tmp_path / "main.lf")
    assert rules.qualification_names == ("bant",)
    assert rules.score_names == ("a", "b")
