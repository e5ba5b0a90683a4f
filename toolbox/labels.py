"""The handbook's own words in every language of the shipped vocabulary.

A language without an entry falls back to English, marked in the output like any other
fallback. Add a column here when the vocabulary gains a language (a test checks coverage).
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "de", "cs", "pl", "sl", "it", "nl")

# key: (en, de, cs, pl, sl, it, nl)
_TABLE: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "contents": ("Contents", "Inhalt", "Obsah", "Spis treści", "Vsebina", "Indice", "Inhoud"),
    "introduction": ("Introduction", "Einleitung", "Úvod", "Wprowadzenie", "Uvod", "Introduzione", "Inleiding"),
    "purpose": ("Purpose", "Zweck", "Účel", "Cel", "Namen", "Scopo", "Doel"),
    "when_to_use": ("When to use it", "Wann es passt", "Kdy ji použít", "Kiedy stosować", "Kdaj jo uporabiti",
                    "Quando usarlo", "Wanneer te gebruiken"),
    "steps": ("Steps", "Schritte", "Postup", "Kroki", "Koraki", "Passi", "Stappen"),
    "materials": ("Materials", "Material", "Materiály", "Materiały", "Gradiva", "Materiali", "Materialen"),
    "preconditions": ("Preconditions", "Voraussetzungen", "Předpoklady", "Warunki wstępne", "Predpogoji",
                      "Prerequisiti", "Voorwaarden"),
    "pitfalls": ("Pitfalls", "Stolpersteine", "Úskalí", "Pułapki", "Pasti", "Insidie", "Valkuilen"),
    "results": ("Results to expect", "Erwartbare Ergebnisse", "Očekávané výsledky", "Oczekiwane rezultaty",
                "Pričakovani rezultati", "Risultati attesi", "Te verwachten resultaten"),
    "effort": ("Effort", "Aufwand", "Náročnost", "Nakład pracy", "Zahtevnost", "Impegno", "Inspanning"),
    "duration": ("Duration", "Dauer", "Trvání", "Czas trwania", "Trajanje", "Durata", "Duur"),
    "lead_time": ("Lead time", "Vorlauf", "Příprava", "Czas przygotowania", "Priprava", "Preparazione",
                  "Voorbereiding"),
    "staff_days": ("Staff days", "Personentage", "Člověkodny", "Osobodni", "Osebni dnevi", "Giornate uomo",
                   "Mensdagen"),
    "budget": ("Budget (EUR)", "Budget (EUR)", "Rozpočet (EUR)", "Budżet (EUR)", "Proračun (EUR)", "Budget (EUR)",
               "Budget (EUR)"),
    "participants": ("Participants", "Teilnehmende", "Účastníci", "Uczestnicy", "Udeleženci", "Partecipanti",
                     "Deelnemers"),
    "audience": ("Audience", "Zielgruppe", "Cílová skupina", "Grupa docelowa", "Ciljna skupina", "Destinatari",
                 "Doelgroep"),
    "sector": ("Sector", "Teilmarkt", "Odvětví", "Sektor", "Sektor", "Settore", "Sector"),
    "region": ("Region", "Region", "Region", "Region", "Regija", "Regione", "Regio"),
    "period": ("Period", "Zeitraum", "Období", "Okres", "Obdobje", "Periodo", "Periode"),
    "organisations": ("Organisations", "Organisationen", "Organizace", "Organizacje", "Organizacije",
                      "Organizzazioni", "Organisaties"),
    "project": ("Project", "Projekt", "Projekt", "Projekt", "Projekt", "Progetto", "Project"),
    "what_was_done": ("What was done", "Was getan wurde", "Co se udělalo", "Co zrobiono", "Kaj je bilo narejeno",
                      "Che cosa è stato fatto", "Wat er gedaan is"),
    "pilot_results": ("Results", "Ergebnisse", "Výsledky", "Rezultaty", "Rezultati", "Risultati", "Resultaten"),
    "lessons": ("Lessons", "Erfahrungen", "Poučení", "Wnioski", "Spoznanja", "Lezioni apprese", "Lessen"),
    "transfer": ("Reusing it elsewhere", "Übertragung auf andere Regionen", "Přenos do jiných regionů",
                 "Przeniesienie do innych regionów", "Prenos v druge regije", "Trasferibilità ad altre regioni",
                 "Toepassing elders"),
    "pilots_used": ("Pilot actions that used it", "Pilotaktionen mit dieser Methode", "Pilotní akce s touto metodou",
                    "Działania pilotażowe z tą metodą", "Pilotne akcije s to metodo",
                    "Azioni pilota che l'hanno usato", "Pilotacties met deze methode"),
    "related": ("Related methods", "Verwandte Methoden", "Související metody", "Powiązane metody",
                "Sorodne metode", "Metodi correlati", "Verwante methoden"),
    "methods_used": ("Methods used", "Eingesetzte Methoden", "Použité metody", "Zastosowane metody",
                     "Uporabljene metode", "Metodi usati", "Gebruikte methoden"),
    "pilots_appendix": ("Pilot actions", "Pilotaktionen", "Pilotní akce", "Działania pilotażowe", "Pilotne akcije",
                        "Azioni pilota", "Pilotacties"),
    "regions_appendix": ("Region profiles", "Regionsprofile", "Profily regionů", "Profile regionów",
                         "Profili regij", "Profili regionali", "Regioprofielen"),
    "pilots_here": ("Pilot actions here", "Pilotaktionen hier", "Pilotní akce zde", "Działania pilotażowe tutaj",
                    "Pilotne akcije tukaj", "Azioni pilota qui", "Pilotacties hier"),
    "country": ("Country", "Land", "Země", "Kraj", "Država", "Paese", "Land"),
    "population": ("Population", "Einwohner", "Obyvatelé", "Ludność", "Prebivalci", "Popolazione", "Inwoners"),
    "area": ("Area", "Fläche", "Rozloha", "Powierzchnia", "Površina", "Superficie", "Oppervlakte"),
    "industries": ("Traditional industries", "Traditionelle Industrien", "Tradiční průmysl",
                   "Tradycyjne przemysły", "Tradicionalne industrije", "Industrie tradizionali",
                   "Traditionele industrieën"),
    "settlement": ("Settlement type", "Siedlungstyp", "Typ osídlení", "Typ osadnictwa", "Tip poselitve",
                   "Tipo di insediamento", "Nederzettingstype"),
    "glossary": ("Glossary of tags", "Glossar der Schlagwörter", "Slovníček štítků", "Słowniczek tagów",
                 "Slovar oznak", "Glossario delle etichette", "Verklarende woordenlijst"),
    "sources": ("Sources", "Quellen", "Zdroje", "Źródła", "Viri", "Fonti", "Bronnen"),
    "cited_in": ("cited in", "zitiert in", "citováno v", "cytowane w", "navedeno v", "citato in", "geciteerd in"),
    "licence": ("Licence and attribution", "Lizenz und Nachweise", "Licence a uvedení autorství",
                "Licencja i atrybucja", "Licenca in navedba avtorstva", "Licenza e attribuzione",
                "Licentie en naamsvermelding"),
    "in_english": ("in English", "auf Englisch", "v angličtině", "po angielsku", "v angleščini", "in inglese",
                   "in het Engels"),
    "page": ("page", "Seite", "strana", "strona", "stran", "pagina", "pagina"),
    "made_with": ("Made with the CCI Method Toolbox", "Erstellt mit der CCI Method Toolbox",
                  "Vytvořeno pomocí CCI Method Toolbox", "Przygotowano w CCI Method Toolbox",
                  "Pripravljeno z orodjem CCI Method Toolbox", "Realizzato con il CCI Method Toolbox",
                  "Gemaakt met de CCI Method Toolbox"),
    "method": ("Method", "Methode", "Metoda", "Metoda", "Metoda", "Metodo", "Methode"),
    "pilot": ("Pilot action", "Pilotaktion", "Pilotní akce", "Działanie pilotażowe", "Pilotna akcija",
              "Azione pilota", "Pilotactie"),
    "region_kind": ("Region profile", "Regionsprofil", "Profil regionu", "Profil regionu", "Profil regije",
                    "Profilo regionale", "Regioprofiel"),
}

LABELS: dict[str, dict[str, str]] = {key: dict(zip(LANGS, row, strict=True)) for key, row in _TABLE.items()}


def labels_for(lang: str) -> Mapping[str, str]:
    """Every label in ``lang``, English where the language has none."""
    return {key: row.get(lang) or row["en"] for key, row in LABELS.items()}


#: The licence page, as Markdown; languages without a text get the English one, marked.
LICENCE_TEXT: dict[str, str] = {
    "en": """The texts of the CCI Method Toolbox are licensed under the
[Creative Commons Attribution 4.0 International licence (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/):
you may copy, adapt and share them, also commercially, if you name the source as
"CCI Method Toolbox contributors" and say whether you changed anything.

The methods and pilot actions were written in the toolbox's own words from public sources on the
Interreg Central Europe projects InduCCI (CE1315, 2019–2022) and InduCult2.0 (2016–2019) and
related practice; every record lists its sources, and the sources appendix of this handbook
lists them all. This handbook is not an official publication of these projects, their partners
or the Interreg programme. Names of projects, programmes and organisations belong to their
owners.

The software that made this handbook is free software under the MIT licence.""",
    "de": """Die Texte der CCI Method Toolbox stehen unter der
[Lizenz Creative Commons Namensnennung 4.0 International (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/deed.de):
Sie dürfen sie kopieren, bearbeiten und weitergeben, auch kommerziell, wenn Sie als Quelle
„CCI Method Toolbox contributors“ nennen und angeben, ob Sie etwas geändert haben.

Die Methoden und Pilotaktionen wurden in eigenen Worten aus öffentlichen Quellen über die
Interreg-Central-Europe-Projekte InduCCI (CE1315, 2019–2022) und InduCult2.0 (2016–2019) sowie
verwandte Praxisbeispiele erarbeitet; jeder Eintrag nennt seine Quellen, und der Quellenanhang
dieses Handbuchs führt sie alle auf. Dieses Handbuch ist keine offizielle Veröffentlichung dieser
Projekte, ihrer Partner oder des Interreg-Programms. Namen von Projekten, Programmen und
Organisationen gehören ihren Inhabern.

Die Software, mit der dieses Handbuch erstellt wurde, ist freie Software unter der MIT-Lizenz.""",
}


#: Words of the web interface (en and de; other languages fall back to English).
WEB_LABELS: dict[str, dict[str, str]] = {
    "site": {"en": "CCI Method Toolbox", "de": "CCI Method Toolbox"},
    "tagline": {"en": "Methods for cultural and creative industries in industrial regions",
                "de": "Methoden für die Kultur- und Kreativwirtschaft in Industrieregionen"},
    "skip": {"en": "Skip to results", "de": "Zu den Ergebnissen springen"},
    "search": {"en": "Search", "de": "Suchen"},
    "search_label": {"en": "Search methods, pilot actions and regions",
                     "de": "Methoden, Pilotaktionen und Regionen durchsuchen"},
    "filters": {"en": "Filters", "de": "Filter"},
    "apply": {"en": "Apply filters", "de": "Filter anwenden"},
    "clear": {"en": "Clear all filters", "de": "Alle Filter entfernen"},
    "results": {"en": "results", "de": "Ergebnisse"},
    "result": {"en": "result", "de": "Ergebnis"},
    "did_you_mean": {"en": "Did you mean", "de": "Meinten Sie"},
    "showing_for": {"en": "Showing results for", "de": "Ergebnisse für"},
    "search_instead": {"en": "Search instead for", "de": "Stattdessen suchen nach"},
    "unmatched": {"en": "No record contains {words}; the results match the other words.",
                  "de": "Kein Eintrag enthält {words}; die Ergebnisse enthalten die übrigen Wörter."},
    "unmatched_all": {"en": "No record contains {words}.", "de": "Kein Eintrag enthält {words}."},
    "no_results": {"en": "Nothing matches.", "de": "Keine Treffer."},
    "try_without": {"en": "Try without", "de": "Ohne diesen Filter versuchen"},
    "fewer_words": {"en": "Try fewer or other words.", "de": "Versuchen Sie weniger oder andere Wörter."},
    "show_all": {"en": "Show all {n}", "de": "Alle {n} zeigen"},
    "show_fewer": {"en": "Show fewer", "de": "Weniger zeigen"},
    "sort": {"en": "Sort by", "de": "Sortieren nach"},
    "relevance": {"en": "relevance", "de": "Relevanz"},
    "title": {"en": "title", "de": "Titel"},
    "effort": {"en": "effort", "de": "Aufwand"},
    "language": {"en": "Language", "de": "Sprache"},
    "previous": {"en": "Previous", "de": "Zurück"},
    "next": {"en": "Next", "de": "Weiter"},
    "page_of": {"en": "Page {page} of {pages}", "de": "Seite {page} von {pages}"},
    "add": {"en": "Add to booklet", "de": "Ins Heft"},
    "in_basket": {"en": "In the booklet", "de": "Im Heft"},
    "remove": {"en": "Remove", "de": "Entfernen"},
    "up": {"en": "Move up", "de": "Nach oben"},
    "down": {"en": "Move down", "de": "Nach unten"},
    "basket": {"en": "Booklet", "de": "Heft"},
    "basket_empty": {"en": "Your booklet is empty. Add records from the search or a record page.",
                     "de": "Ihr Heft ist leer. Fügen Sie Einträge aus der Suche oder von einer Eintragsseite hinzu."},
    "download_pdf": {"en": "Download PDF", "de": "PDF herunterladen"},
    "download_html": {"en": "Download HTML", "de": "HTML herunterladen"},
    "download_recipe": {"en": "Download recipe (YAML)", "de": "Rezept herunterladen (YAML)"},
    "share": {"en": "This page's address holds the booklet: copy it to share or keep it.",
              "de": "Die Adresse dieser Seite enthält das Heft: kopieren Sie sie zum Teilen oder Aufbewahren."},
    "export": {"en": "Download these results", "de": "Diese Ergebnisse herunterladen"},
    "back": {"en": "Back to the search", "de": "Zurück zur Suche"},
    "regions_like": {"en": "Regions like this one", "de": "Ähnliche Regionen"},
    "api": {"en": "JSON API", "de": "JSON-API"},
    "not_found": {"en": "Not found", "de": "Nicht gefunden"},
    "bad_request": {"en": "This request cannot be answered", "de": "Diese Anfrage kann nicht beantwortet werden"},
    "all": {"en": "all", "de": "alle"},
    "kind": {"en": "Kind of record", "de": "Art des Eintrags"},
    "quote": {"en": "“{}”", "de": "„{}“"},
    "show_more": {"en": "more", "de": "mehr"},
    # error pages
    "too_large": {"en": "This request is too large", "de": "Diese Anfrage ist zu groß"},
    "method": {"en": "This address only answers GET requests", "de": "Diese Adresse beantwortet nur GET-Anfragen"},
    "unavailable": {"en": "The search is not available at the moment",
                    "de": "Die Suche ist im Moment nicht verfügbar"},
    "unavailable_hint": {"en": "Please try again in a few minutes.",
                         "de": "Bitte versuchen Sie es in einigen Minuten noch einmal."},
    "busy": {"en": "Another download is being prepared", "de": "Gerade wird ein anderer Download vorbereitet"},
    "busy_hint": {"en": "Please try again in a few seconds.",
                  "de": "Bitte versuchen Sie es in einigen Sekunden noch einmal."},
    "internal": {"en": "Something went wrong on our side", "de": "Bei uns ist etwas schiefgegangen"},
    # why the page refuses a request (web.Refused); {n} and {text} are filled in
    "refuse_query_chars": {"en": "the query is longer than {n} characters",
                           "de": "die Suchanfrage ist länger als {n} Zeichen"},
    "refuse_query_words": {"en": "the query has more than {n} words", "de": "die Suchanfrage hat mehr als {n} Wörter"},
    "refuse_ranges": {"en": "ranges ([a TO b]) cannot be searched here",
                      "de": "Bereiche ([a TO b]) können hier nicht gesucht werden"},
    "refuse_ranges_hint": {"en": "search for words; 'toolbox search' on the command line accepts ranges",
                           "de": "suchen Sie nach Wörtern; 'toolbox search' auf der Kommandozeile kennt Bereiche"},
    "refuse_wildcard_prefix": {"en": "'{text}': a wildcard needs at least {n} letters before * or ?",
                               "de": "'{text}': vor * oder ? müssen mindestens {n} Buchstaben stehen"},
    "refuse_wildcard_prefix_hint": {"en": "remove the * or ?, or write more letters, as in 'hack*'",
                                    "de": "entfernen Sie * oder ? oder schreiben Sie mehr Buchstaben, etwa 'hack*'"},
    "refuse_wildcards": {"en": "the query has more than {n} wildcards",
                         "de": "die Suchanfrage hat mehr als {n} Platzhalter (* oder ?)"},
    "refuse_address_length": {"en": "the address is longer than {n} KB", "de": "die Adresse ist länger als {n} KB"},
    "refuse_params": {"en": "the address has more than {n} parameters",
                      "de": "die Adresse hat mehr als {n} Parameter"},
    "refuse_control": {"en": "the address contains control characters", "de": "die Adresse enthält Steuerzeichen"},
    "refuse_filter_values": {"en": "more than {n} filter values", "de": "mehr als {n} Filterwerte"},
}


def web_labels(lang: str) -> dict[str, str]:
    return {key: row.get(lang) or row["en"] for key, row in WEB_LABELS.items()}
