"""Spot checks of single actions in the catalogue data: the hard cases of the PDF extraction."""

from .conftest import tip


def test_action_4_7_title_comes_from_the_heading_numbered_4_6_1(by_id):
    assert by_id["4.7"]["title"] == (
        "Opzetten van dashboards, interne nieuwsbrieven of leerupdates om leersuccessen "
        "expliciet digitaal te delen"
    )


def test_highlight_of_1_1_is_verbatim_with_final_punctuation(by_id):
    assert by_id["1.1"]["highlight"] == (
        "Organiseren van een informeel reflectiemoment in teamoverleg over ervaren problemen "
        "('wat liep er minder goed vorige week?'), om een probleem als leerkans aan te grijpen "
        "en zo dergelijke problemen in de toekomst te vermijden;"
    )


def test_sub_items_and_text_after_of_1_2(by_id):
    entry = tip(by_id["1.2"], "Structuur geven aan het delen van hulpvragen")
    assert entry["text"] == "Stel enkele eenvoudige vragen centraal, zoals:"
    assert entry["items"] == [
        "Waar heb je deze week hulp bij nodig?",
        "Wat zou je graag (beter) willen leren?",
        "Waar kan jij anderen in ondersteunen?",
    ]
    assert entry["text_after"] == (
        "Zo worden hulpvragen en expertise zichtbaar en kunnen collega’s elkaar gericht helpen."
    )


def test_last_tip_of_9_5(by_id):
    last = by_id["9.5"]["tips"][-1]
    assert last["title"] == "Waardering en zichtbaarheid geven aan leiderschapsgroei"
    assert last["text"] == (
        "Maak het zichtbaar wanneer leidinggevenden tijd investeren in hun ontwikkeling of die "
        "van collega’s. Benoem dit bijvoorbeeld in interne communicatie, geef ruimte om inzichten "
        "te delen, of verbind het aan groeipaden binnen leiderschap."
    )
    assert last["items"] == [] and last["text_after"] == ""


def test_first_letter_lost_at_a_page_break_is_restored(by_id):
    entry = tip(by_id["4.6"], "Verbinding met de praktijk")
    assert entry["text"].startswith(
        "Stimuleer deelnemers om concrete werkervaringen, tools of werkwijzen te delen."
    )


def test_compound_hyphens_at_line_ends_are_kept(by_id):
    assert by_id["6.3"]["title"] == (
        "Organiseren van leerintervisies en kennisdeling-sessies tussen teams"
    )
    assert "niet-oordelend blijft." in tip(by_id["4.1"], "Facilitatie en veiligheid")["text"]
    assert (
        "geen evaluatie-instrument is"
        in tip(by_id["4.5"], "Te implementeren beleid en kader")["text"]
    )
    assert (
        "de 7-stappenmethode"
        in tip(by_id["8.4"], "Structuur en methodiek voorzien voor de gesprekken")["text"]
    )
    assert "on-the-job-coaching versterk je" in by_id["5.3"]["introduction"]
    assert "over team- en locatiegrenzen heen." in by_id["4.6"]["introduction"]


def test_overlap_on_its_own_line_and_on_the_highlight_line(by_id):
    assert by_id["9.2"]["highlight"] == (
        "Coaching tastbaar en concreet verankeren in de functieomschrijving van leidinggevenden."
    )
    assert by_id["8.3"]["highlight"] == (
        "Voorzien van een laagdrempelige digitale omgeving waar medewerkers snel vragen kunnen "
        "stellen en beantwoorden (Whatsappgroep, Teams-chat, gedeelde map, …)."
    )
    assert by_id["9.2"]["overlap"] and by_id["8.3"]["overlap"]
    assert not by_id["1.1"]["overlap"]


def test_actions_without_highlight_have_null(by_id):
    assert by_id["5.3"]["highlight"] is None
    assert by_id["9.5"]["highlight"] is None


def test_two_paragraph_introduction_of_6_5(by_id):
    first, second = by_id["6.5"]["introduction"].split("\n\n")
    assert first.startswith("In veel organisaties is er wél veel kennis aanwezig")
    assert first.endswith("begeleiding of leertrajecten.")
    assert second.startswith("Door dit systematisch vast te leggen — bijvoorbeeld")


def test_bulleted_paragraph_of_3_7_is_the_tip_text(by_id):
    entry = tip(by_id["3.7"], "Gebruik maken van gestructureerde reflectievragen")
    assert entry["text"] == (
        "Ontwikkel een gespreksleidraad met vragen die vertrekken vanuit persoonlijke "
        "drijfveren, dromen en sterktes, zoals:"
    )
    assert entry["items"][0] == "Waar droom je van in je werk of loopbaan?"
    assert len(entry["items"]) == 4


def test_sub_item_continued_after_a_blank_line(by_id):
    entry = tip(by_id["2.4"], "Aangepaste gespreksstructuur voorzien")
    assert (
        "Welke situaties hebben je iets bijgebracht, zonder dat je het vooraf als leermoment zag?"
        in entry["items"]
    )
    assert (
        entry["items"][-1]
        == "Wat heb je uit een opleiding kunnen toepassen in je werk? Wat werkte goed, wat minder?"
    )


def test_tip_after_the_page_footer_of_5_2(by_id):
    entry = tip(by_id["5.2"], "Voorbeelden en formats aanreiken")
    assert entry["text"] == (
        "Ondersteun leidinggevenden met sjablonen of voorbeeldvragen voor ontwikkelgesprekken. "
        "Voorzie bijvoorbeeld:"
    )
    assert entry["items"][1] == (
        "Voorbeelden van vragen om leereffecten te bespreken (“Wat heb je toegepast?”, "
        "“Wat werkte wel/niet?”)"
    )


def test_challenge_titles_in_sentence_case_keep_acronyms(data):
    assert data["challenges"][0]["title"] == "Het werk gaat voor op leren"
    assert data["challenges"][6]["title"] == (
        "Er is een gebrek aan een strategisch HR-beleid dat richting en ondersteuning geeft aan "
        "het leren"
    )


def test_heading_titles_without_final_period(by_id):
    assert by_id["8.4"]["title"] == "Opzetten van intervisiegroepen (digitaal of fysiek)"
    assert by_id["9.5"]["title"] == (
        "Stimuleren van gedeeld leiderschap en peer-coaching (waarbij leidinggevenden "
        "coachingservaringen en good practices uitwisselen)"
    )


def test_symbol_font_arrows_in_7_1_are_written_as_arrows(by_id):
    items = [item for entry in by_id["7.1"]["tips"] for item in entry["items"]]
    assert "Innoveren? → Leren experimenteren, creatief denken, iteratief werken" in items
    assert not any("à" in item for item in items)
