"""The streaming SPSS writer (spss.py): files read back by pyreadstat (ReadStat) and, where it
is installed, by PSPP; memory that does not grow with the rows."""

from __future__ import annotations

import shutil
import subprocess
import tracemalloc
from pathlib import Path

import pyreadstat
import pytest

from leerkansen.research import spss
from leerkansen.research.spss import SavVariable, write_sav

# Multibyte UTF-8, no emoji: 2 bytes (é, ë), 3 bytes (—, 学).
DUTCH = "Zoë — café"
CJK = "学习"


def read(path: Path, user_missing: bool = True):
    return pyreadstat.read_sav(str(path), output_format="dict", user_missing=user_missing)


def sav(tmp_path: Path, variables, rows, name: str = "out.sav") -> Path:
    path = tmp_path / name
    write_sav(path, variables, rows)
    return path


def mixed_variables() -> list[SavVariable]:
    return [
        SavVariable(
            "score",
            "Score op de stelling",
            "number",
            {1: "Oneens", 2: "Eens", -1: "Weet niet"},
            (-1,),
            "ordinal",
        ),
        SavVariable("urgency", "Gemiddelde urgentie", "decimal"),
        SavVariable(
            "size",
            "Grootte",
            "text",
            {"klein": "Klein", "weetniet": "Weet niet"},
            ("weetniet",),
        ),
        SavVariable("place", "Plaats", "text"),
    ]


MIXED_ROWS = [
    [1, 0.25, "klein", DUTCH],
    [None, None, None, None],
    [-1, 3.5, "weetniet", CJK],
    [2, -1e-3, "groot", "ë"],
]


def test_values_round_trip_with_user_missing_kept_or_as_missing(tmp_path):
    path = sav(tmp_path, mixed_variables(), MIXED_ROWS)
    values, meta = read(path)
    assert meta.number_rows == 4
    assert values["score"] == [1.0, None, -1.0, 2.0]
    assert values["urgency"] == [0.25, None, 3.5, -1e-3]
    assert values["size"] == ["klein", "", "weetniet", "groot"]
    assert values["place"] == [DUTCH, "", CJK, "ë"]
    values, _meta = read(path, user_missing=False)
    assert values["score"] == [1.0, None, None, 2.0]
    assert values["urgency"] == [0.25, None, 3.5, -1e-3]
    assert values["size"] == ["klein", "", None, "groot"]
    assert values["place"] == [DUTCH, "", CJK, "ë"]


def test_formats_measures_and_user_missing(tmp_path):
    _values, meta = read(sav(tmp_path, mixed_variables(), MIXED_ROWS))
    assert meta.original_variable_types == {
        "score": "F8.0",
        "urgency": "F8.2",
        "size": "A8",
        "place": "A14",
    }
    assert meta.variable_measure == {
        "score": "ordinal",
        "urgency": "scale",
        "size": "nominal",
        "place": "nominal",
    }
    assert meta.missing_ranges == {
        "score": [{"lo": -1.0, "hi": -1.0}],
        "size": [{"lo": "weetniet", "hi": "weetniet"}],
    }
    assert meta.file_encoding == "UTF-8"


def test_up_to_three_missing_values_and_on_long_strings(tmp_path):
    variables = [
        SavVariable("answer", "", "number", missing=(-1, -2, 99.5)),
        SavVariable("plan", "Opleidingsplan", "text", missing=("weetniet", "nvt")),
        SavVariable("other", "", "text", missing=("x",)),
    ]
    rows = [[-2, "ja_volledig", "x"], [99.5, "nvt", "langer_dan_acht"], [3, "weetniet", "y"]]
    path = sav(tmp_path, variables, rows)
    values, meta = read(path)
    # Wider than 8 bytes: their missing values are in the long string record (7.22).
    assert meta.variable_storage_width == {"answer": 8, "plan": 11, "other": 15}
    assert meta.missing_ranges["answer"] == [
        {"lo": -1.0, "hi": -1.0},
        {"lo": -2.0, "hi": -2.0},
        {"lo": 99.5, "hi": 99.5},
    ]
    assert meta.missing_ranges["plan"] == [
        {"lo": "weetniet", "hi": "weetniet"},
        {"lo": "nvt", "hi": "nvt"},
    ]
    values, _meta = read(path, user_missing=False)
    assert meta.missing_ranges["other"] == [{"lo": "x", "hi": "x"}]
    assert values["answer"] == [None, None, 3.0]
    assert values["plan"] == ["ja_volledig", None, None]
    assert values["other"] == [None, "langer_dan_acht", "y"]


def test_long_names_and_names_sharing_their_first_eight_characters(tmp_path):
    names = ["q1", "posterior_first", "posterior_second", "POSTERIO", "Étude_longue_variable"]
    variables = [SavVariable(name, f"Label {name}", "number") for name in names]
    path = sav(tmp_path, variables, [[1, 2, 3, 4, 5]])
    values, meta = read(path)
    assert meta.column_names == names
    assert values == {name: [float(index + 1)] for index, name in enumerate(names)}
    assert meta.column_names_to_labels == {name: f"Label {name}" for name in names}
    short = spss._short_names(spss._columns(variables))
    assert short == [b"Q1", b"POSTER_1", b"POSTER_2", b"POSTERIO", "ÉTUDE_L".encode()]


def test_labels_are_cut_to_255_bytes_on_a_character_boundary(tmp_path):
    long_label = "é" * 150  # 300 bytes, one word: 252 bytes and "…" would split an é
    words = "Het team leert " + "samen " * 50  # 315 bytes of words
    variables = [
        SavVariable("first", long_label, "number"),
        SavVariable("second", DUTCH, "text"),
        SavVariable("third", "", "number"),
        SavVariable("fourth", words, "number"),
    ]
    _values, meta = read(sav(tmp_path, variables, [[1, "x", 2, 3]]))
    label = meta.column_names_to_labels["first"]
    # One word longer than the limit can only be cut within itself.
    assert label == "é" * 126 + "…"
    assert len(label.encode()) == 255
    assert meta.column_names_to_labels["second"] == DUTCH
    assert meta.column_names_to_labels["third"] is None
    fourth = meta.column_names_to_labels["fourth"]
    assert fourth.endswith(" samen…") and len(fourth.encode()) <= 255
    assert words.startswith(fourth.removesuffix("…") + " ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kort genoeg", "kort genoeg"),
        ("precies twintig tekens!", "precies twintig…"),
        # The cut falls just after a word: the word is kept whole.
        ("twee woorden hier enz", "twee woorden hier…"),
        # No comma or bracket dangles before the ellipsis.
        ("woorden zijn (of, nog meer", "woorden zijn (of…"),
        ("een lange zin ( en meer", "een lange zin…"),
        ("ëëëëëëëëëëëë", "ëëëëëëëë…"),
    ],
)
def test_shorten_cuts_at_a_word_boundary_within_the_limit(text, expected):
    assert spss.shorten(text, 20).decode() == expected
    assert len(spss.shorten(text, 20)) <= 20


def test_value_labels_of_numbers_short_strings_and_long_strings(tmp_path):
    long_label = "x" + "ë" * 70  # 141 bytes, one word: cut to SPSS's 120 with "…"
    variables = [
        SavVariable("grade", "", "number", {1: "Laag", 2.5: "Midden", 3: DUTCH}),
        SavVariable("also", "", "number", {1: "Laag", 2.5: "Midden", 3: DUTCH}),
        SavVariable("sector", "", "text", {"Q": "Zorg", "C": "Industrie"}),
        SavVariable("action", "", "text", {"1.1": long_label, "nog_niet_gestart": "Nog niet"}),
        SavVariable("other", "", "text", {"b": "Bee", "c": "Cee"}),
    ]
    rows = [[1, 3, "Q", "1.1", "a" * 20], [None, 2.5, "C", None, "b"]]
    values, meta = read(sav(tmp_path, variables, rows))
    assert meta.variable_value_labels["grade"] == {1.0: "Laag", 2.5: "Midden", 3.0: DUTCH}
    assert meta.variable_value_labels["also"] == meta.variable_value_labels["grade"]
    assert meta.variable_value_labels["sector"] == {"Q": "Zorg", "C": "Industrie"}
    assert meta.variable_value_labels["action"] == {
        "1.1": "x" + "ë" * 58 + "…",
        "nog_niet_gestart": "Nog niet",
    }
    # The width covers the longest code, even when no row holds it.
    assert meta.variable_storage_width["action"] == len("nog_niet_gestart")
    assert values["action"] == ["1.1", ""]
    # Two long strings with value labels share record 7.21.
    assert meta.variable_value_labels["other"] == {"b": "Bee", "c": "Cee"}
    assert meta.variable_storage_width["other"] == 20


def test_a_string_column_is_as_wide_as_its_longest_value_in_bytes(tmp_path):
    variables = [
        SavVariable("short", "", "text"),
        SavVariable("wide", "", "text"),
        SavVariable("empty", "", "text"),
        SavVariable("full", "", "text"),
    ]
    longest = "é" * 100 + "x"  # 201 bytes, 101 characters

    def rows():
        for index in range(3000):
            yield ["ab", longest if index == 2345 else "kort", None, "y" * 255]

    path = sav(tmp_path, variables, rows())
    values, meta = read(path)
    assert meta.variable_storage_width == {"short": 2, "wide": 201, "empty": 1, "full": 255}
    assert meta.original_variable_types["wide"] == "A201"
    assert values["wide"][2345] == longest
    assert values["wide"][2344] == "kort"
    assert values["empty"] == [""] * 3000
    assert values["full"][0] == "y" * 255


@pytest.mark.parametrize("count", [0, 1, 5000])
def test_row_counts(tmp_path, count):
    variables = [SavVariable("n", "Nummer", "number"), SavVariable("code", "Code", "text")]
    rows = ([index, f"c{index % 7}"] for index in range(count))
    values, meta = read(sav(tmp_path, variables, rows))
    assert meta.number_rows in ((0, None) if count == 0 else (count,))
    assert meta.column_names == ["n", "code"]
    assert values["n"] == [float(index) for index in range(count)]
    assert values["code"] == [f"c{index % 7}" for index in range(count)]
    _values, meta = read(tmp_path / "out.sav", user_missing=False)
    assert meta.number_rows in ((0, None) if count == 0 else (count,))


def test_nan_is_system_missing_and_other_values_are_written_as_text(tmp_path):
    variables = [SavVariable("x", "", "decimal"), SavVariable("t", "", "text")]
    values, _meta = read(sav(tmp_path, variables, [[float("nan"), 12], [True, 1.5]]))
    assert values == {"x": [None, 1.0], "t": ["12", "1.5"]}


@pytest.mark.parametrize(
    ("variables", "rows", "message"),
    [
        ([SavVariable("t", "", "text")], [["é" * 128]], "at most 255"),
        ([SavVariable("n", "", "number")], [["3"]], "not a number"),
        ([SavVariable("n", "", "number")], [[1, 2]], "has 2 values"),
        ([SavVariable("1abc", "", "number")], [], "not a valid SPSS variable name"),
        ([SavVariable("with", "", "number")], [], "not a valid SPSS variable name"),
        ([SavVariable("a" * 65, "", "number")], [], "longer than 64 bytes"),
        ([SavVariable("Ab", "", "number"), SavVariable("aB", "", "number")], [], "ignores case"),
        ([SavVariable("n", "", "number", missing=(1, 2, 3, 4))], [], "at most 3"),
        ([SavVariable("t", "", "text", missing=("negen_tek",))], [], "at most 8 bytes"),
        ([SavVariable("t", "", "text", {1: "een"})], [], "are strings"),
        ([SavVariable("n", "", "number", {"1": "een"})], [], "are numbers"),
        ([SavVariable("t", "", "text", measure="scale")], [], "not scale"),
        ([], [], "at least one variable"),
    ],
)
def test_what_spss_cannot_hold_is_refused_before_the_file_is_written(
    tmp_path, variables, rows, message
):
    path = tmp_path / "refused.sav"
    with pytest.raises(ValueError, match=message):
        write_sav(path, variables, rows)
    assert not path.exists()
    # The spool is gone too.
    assert list(tmp_path.iterdir()) == []


def _peak_bytes(tmp_path: Path, count: int) -> int:
    variables = [
        SavVariable(f"number_{index}", f"Getal {index}", "number", {1: "een"}) for index in range(8)
    ]
    variables += [SavVariable(f"text_{index}", f"Tekst {index}", "text") for index in range(6)]
    variables.append(SavVariable("mean", "Gemiddelde", "decimal"))

    def rows():
        for row in range(count):
            yield [
                *(None if (row + index) % 11 == 0 else (row + index) % 5 for index in range(8)),
                *(f"code_{(row * 7 + index) % 13}é" for index in range(6)),
                row / 7,
            ]

    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    write_sav(tmp_path / f"rows-{count}.sav", variables, rows())
    return tracemalloc.get_traced_memory()[1] - start


def test_memory_does_not_grow_with_the_number_of_rows(tmp_path):
    tracemalloc.start()
    try:
        _peak_bytes(tmp_path, 100)  # warm up: imports, caches
        small = _peak_bytes(tmp_path, 2_000)
        large = _peak_bytes(tmp_path, 20_000)
    finally:
        tracemalloc.stop()
    # Ten times the rows, about the same peak: one spooled batch at a time.
    assert large < 1.5 * small, (small, large)
    _values, meta = read(tmp_path / "rows-20000.sav")
    assert meta.number_rows == 20_000


@pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP is not installed")
def test_pspp_reads_the_file_without_complaint(tmp_path):
    variables = [
        *mixed_variables(),
        SavVariable("plan_with_a_long_name", "Plan", "text", {"nog_niet_x": "Nee"}, ("nvt",)),
        # A second long string with labels and missing values: PSPP wants records 7.21 and
        # 7.22 once, for every variable together.
        SavVariable("plan_with_a_longer_name", "Plan 2", "text", {"ja_zeker_x": "Ja"}, ("x",)),
    ]
    rows = [
        [*row, "nog_niet_x" if index % 2 else "nvt", "ja_zeker_x"]
        for index, row in enumerate(MIXED_ROWS)
    ]
    path = sav(tmp_path, variables, rows)
    syntax = tmp_path / "check.sps"
    syntax.write_text(f"GET FILE='{path}'.\nDISPLAY DICTIONARY.\nLIST.\n")
    output = tmp_path / "check.csv"
    result = subprocess.run(
        ["pspp", "-O", "format=csv", "-o", str(output), str(syntax)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    text = output.read_text()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (text + result.stdout + result.stderr).lower()
    # A long string's missing value is 8 bytes, padded (PSPP shows the spaces).
    assert 'plan_with_a_long_name,5,Plan,Nominal,Input,10,Left,A10,A10,"""nvt ' in text
    assert "Plan,nog_niet_x,Nee" in text
    assert "Plan 2,ja_zeker_x,Ja" in text
    assert "Zoë — café" in text and "学习" in text
