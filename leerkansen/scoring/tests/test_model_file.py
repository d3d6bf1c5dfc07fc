"""The committed prior model file: its schema checks, its design and its evidence rule."""

import copy
import importlib.util
import math
import re
from pathlib import Path

import pytest
import yaml

from leerkansen.content.catalogue import get_catalogue
from leerkansen.scoring.model import (
    DEFAULT_MODEL_FILE,
    ModelFileError,
    get_shipped_model,
    load_model,
)

ROOT = Path(__file__).resolve().parents[3]


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "make_prior_model", ROOT / "tools" / "make_prior_model.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def model():
    return load_model(DEFAULT_MODEL_FILE)


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))


def test_committed_file_is_the_prior_model_1_1_0(model):
    assert model.version == "1.1.0"
    assert model.method == "mixture" and model.top3_weights is not None
    assert model.status == "prior"
    assert "startmodel" in model.description_nl
    assert model.dominance_threshold == 0.70
    assert get_shipped_model() is get_shipped_model()
    assert get_shipped_model() == model


def test_profiles_have_unique_ids_and_names_and_two_sentence_descriptions(model):
    assert 4 <= len(model.profiles) <= 6
    assert len({profile.id for profile in model.profiles}) == len(model.profiles)
    assert len({profile.name for profile in model.profiles}) == len(model.profiles)
    for profile in model.profiles:
        sentences = re.findall(r"[^.!?]+[.!?]", profile.description)
        assert len(sentences) == 2, profile.id
        assert "latent" not in profile.description.lower()


def test_each_profile_has_two_or_three_defining_challenges_except_one_balanced(model):
    balanced = [profile for profile in model.profiles if not profile.defining_challenges]
    assert len(balanced) == 1
    assert all(z < 0 for z in balanced[0].means.values())
    for profile in model.profiles:
        if profile is not balanced[0]:
            assert 2 <= len(profile.defining_challenges) <= 3, profile.id
    defining = [c for profile in model.profiles for c in profile.defining_challenges]
    assert len(defining) == len(set(defining)), "a challenge defines more than one profile"


def test_mixture_is_consistent_with_z_scores(model):
    for challenge in model.challenges:
        mean = sum(p.weight * p.means[challenge] for p in model.profiles)
        second = sum(
            p.weight * (p.variances[challenge] + p.means[challenge] ** 2) for p in model.profiles
        )
        assert mean == pytest.approx(0, abs=0.05)
        assert second - mean**2 == pytest.approx(1, abs=0.1)


def test_prototype_scores_lie_within_0_to_100(model):
    reference = model.standardisation
    for profile in model.profiles:
        for challenge, z in profile.means.items():
            assert 0 <= reference.mean[challenge] + z * reference.sd[challenge] <= 100


def test_weights_rank_needs_first_second_third(model):
    need = model.weights.need
    assert need.first > need.second > need.third > 0
    assert math.fsum(profile.weight for profile in model.profiles) == pytest.approx(1)


def test_evidence_table_is_the_documented_prior_rule(model):
    tool = load_tool()
    assert model.evidence == tool.prior_evidence(list(model.profiles), get_catalogue())
    assert tool.main(["--check"]) == 0


def test_evidence_is_higher_for_actions_of_defining_challenges(model):
    catalogue = get_catalogue()
    for profile in model.profiles:
        for action in catalogue.actions():
            evidence = model.evidence[profile.id][action.id]
            if action.challenge_number in profile.defining_challenges:
                assert evidence >= 0.75
            else:
                assert evidence <= 0.35


def write(tmp_path, data):
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_copy_loads(tmp_path, raw):
    assert load_model(write(tmp_path, raw)) == load_model(DEFAULT_MODEL_FILE)


def drop_action(data):
    del data["evidence"]["op-weg"]["4.7"]


def add_action(data):
    data["evidence"]["op-weg"]["9.9"] = 0.5


def too_high(data):
    data["evidence"]["op-weg"]["1.1"] = 1.5


def unknown_profile_row(data):
    data["evidence"]["onbekend"] = dict(data["evidence"]["op-weg"])


def missing_profile_row(data):
    del data["evidence"]["op-weg"]


def weights_off(data):
    data["profiles"][0]["weight"] = 0.3


def zero_variance(data):
    data["profiles"][1]["variances"][3] = 0


def missing_mean(data):
    del data["profiles"][2]["means"][9]


def extra_field(data):
    data["profiles"][0]["colour"] = "blue"


def duplicate_id(data):
    data["profiles"][1]["id"] = data["profiles"][0]["id"]


def bad_threshold(data):
    data["dominance_threshold"] = 1.5


def unknown_challenge(data):
    data["standardisation"]["sd"][10] = 20.0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (drop_action, "evidence.op-weg: missing actions 4.7"),
        (add_action, "evidence.op-weg: unknown actions 9.9"),
        (too_high, "evidence.op-weg.1.1: Input should be less than or equal to 1"),
        (unknown_profile_row, "evidence: unknown profiles onbekend"),
        (missing_profile_row, "evidence: missing profiles op-weg"),
        (weights_off, "profiles: weights add up to 1.1, not 1"),
        (zero_variance, "profiles[1].variances[3]: Input should be greater than 0"),
        (missing_mean, "profiles[2].means: missing challenges 9"),
        (extra_field, "profiles[0].colour: Extra inputs are not permitted"),
        (duplicate_id, "profiles[1].id: druk-en-verspreid occurs twice"),
        (bad_threshold, "dominance_threshold: Input should be less than or equal to 1"),
        (unknown_challenge, "standardisation.sd: unknown challenges 10"),
    ],
)
def test_bad_files_fail_naming_file_and_field(tmp_path, raw, change, expected):
    data = copy.deepcopy(raw)
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ModelFileError) as error:
        load_model(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_unreadable_yaml_fails_naming_the_file(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(ModelFileError, match=re.escape(f"{path}: cannot be read as YAML")):
        load_model(path)
