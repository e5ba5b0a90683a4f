"""The interface's own words: the handbook's labels and the web page's, marked for gettext.

The English text of each is here; its translations are in the gettext catalogues
(``toolbox/locale/LANG/LC_MESSAGES/toolbox.po``, see ``catalogs``). A language without a
translation falls back to English, marked in the output like any other fallback. When the
vocabulary gains a language, add a catalogue (``pybabel init``); a test checks coverage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalogs import N_, NP_, catalog_languages, has_translation, translate, translate_plural
from .textutil import language_name

if TYPE_CHECKING:
    from .settings import Settings

LANGS = ("en", "de", "cs", "pl", "sl", "it", "nl", "hr")

#: key -> English; the translations are in the gettext catalogues (``catalogs``, toolbox/locale).
_HANDBOOK: dict[str, str] = {
    'contents': N_('contents', 'Contents'),
    'introduction': N_('introduction', 'Introduction'),
    'purpose': N_('purpose', 'Purpose'),
    'when_to_use': N_('when_to_use', 'When to use it'),
    'steps': N_('steps', 'Steps'),
    'materials': N_('materials', 'Materials'),
    'preconditions': N_('preconditions', 'Preconditions'),
    'pitfalls': N_('pitfalls', 'Pitfalls'),
    'results': N_('results', 'Results to expect'),
    'effort': N_('effort', 'Effort'),
    'duration': N_('duration', 'Duration'),
    'lead_time': N_('lead_time', 'Lead time'),
    'staff_days': N_('staff_days', 'Staff days'),
    'budget': N_('budget', 'Budget (EUR)'),
    'participants': N_('participants', 'Participants'),
    'audience': N_('audience', 'Audience'),
    'sector': N_('sector', 'Sector'),
    'region': N_('region', 'Region'),
    'period': N_('period', 'Period'),
    'organisations': N_('organisations', 'Organisations'),
    'project': N_('project', 'Project'),
    'what_was_done': N_('what_was_done', 'What was done'),
    'pilot_results': N_('pilot_results', 'Results'),
    'lessons': N_('lessons', 'Lessons'),
    'transfer': N_('transfer', 'Reusing it elsewhere'),
    'pilots_used': N_('pilots_used', 'Pilot actions that used it'),
    'related': N_('related', 'Related methods'),
    'methods_used': N_('methods_used', 'Methods used'),
    'pilots_appendix': N_('pilots_appendix', 'Pilot actions'),
    'methods_part': N_('methods_part', 'Methods'),
    'regions_appendix': N_('regions_appendix', 'Region profiles'),
    'pilots_here': N_('pilots_here', 'Pilot actions here'),
    'country': N_('country', 'Country'),
    'population': N_('population', 'Population'),
    'area': N_('area', 'Area'),
    'industries': N_('industries', 'Traditional industries'),
    'settlement': N_('settlement', 'Settlement type'),
    'glossary': N_('glossary', 'Glossary of tags'),
    'sources': N_('sources', 'Sources'),
    'cited_in': N_('cited_in', 'cited in'),
    'licence': N_('licence', 'Licence and attribution'),
    'in_english': N_('in_english', 'in English'),
    'page': N_('page', 'page'),
    'made_with': N_('made_with', 'Made with the CCI Method Toolbox'),
    'method': N_('method', 'Method'),
    'pilot': N_('pilot', 'Pilot action'),
    'region_kind': N_('region_kind', 'Region profile'),
    'projects': N_('projects', 'Projects'),
    'nuts': N_('nuts', 'NUTS region'),
    'estimate_note': N_('estimate_note', 'About these figures'),
}


class _ByLanguage(Mapping[str, dict[str, str]]):
    """key -> {language: text} over every catalogue, for tests and tools that compare languages."""

    def __init__(self, table: Mapping[str, str], prefix: str) -> None:
        self.table, self.prefix = table, prefix

    def __getitem__(self, key: str) -> dict[str, str]:
        english = self.table[key]
        context = self.prefix + key
        return {"en": english, **{lang: translate(lang, context, english) for lang in catalog_languages()
                                  if has_translation(lang, context, english)}}

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


LABELS: Mapping[str, dict[str, str]] = _ByLanguage(_HANDBOOK, "")


def labels_for(lang: str, source: str = "en") -> Mapping[str, str]:
    """Every label in ``lang``, English where the language has none. ``source`` is the language
    that stands in for missing texts: the mark says "in English", or names that language."""
    labels = {key: translate(lang, key, english) for key, english in _HANDBOOK.items()}
    if source != "en":
        labels["in_english"] = language_name(source, lang)
    return labels


#: The licence page a project gets when its project file has no ``licence_text`` of its own:
#: composed from its name, publisher, licence and contact (context "statement.KEY").
STATEMENT: dict[str, str] = {
    'published_by': N_('statement.published_by', 'The texts of {name} are published by {publisher}.'),
    'licensed': N_('statement.licensed', 'They are licensed under {licence}; reuse them on its terms.'),
    'attribution': N_('statement.attribution', 'When you reuse them, name the source as “{attribution}”.'),
    'no_licence': N_('statement.no_licence', 'No licence has been stated for these texts: ask the publisher '
                                             'before you reuse them.'),
    'about': N_('statement.about', 'These are the texts of {name}.'),
    'contact': N_('statement.contact', 'Contact: {contact}.'),
    'credits_shipped': N_('statement.credits_shipped', 'Some records are adapted from the CCI Method Toolbox '
                                                       '(CCI Method Toolbox contributors), CC BY 4.0.'),
    'software': N_('statement.software', 'The software that made this handbook, the CCI Method Toolbox, is '
                                         'free software under the MIT licence.'),
}


@dataclass(frozen=True)
class Statements:
    """What a handbook and the web page say about the content, in one language, from the
    project file (:mod:`toolbox.settings`)."""

    name: str  # the toolbox's name: cover, colophon, page titles
    tagline: str
    publisher: str
    licence: str  # short name, "" when none is stated
    licence_url: str
    page: str  # the licence page, Markdown
    page_translated: bool  # False: the page is in another language (marked)


def statements(settings: Settings, lang: str) -> Statements:
    """The project's statements in ``lang``: its own texts where it wrote them, else composed."""
    web = web_labels(lang)
    name = settings.name.get(lang) if settings.name.languages else web["site"]
    tagline = settings.tagline.get(lang) if settings.tagline.languages else web["tagline"]
    lic = settings.licence
    if settings.licence_text.languages:
        resolved = settings.licence_text.resolve(lang)
        page, translated = resolved.text, not resolved.fallback
    else:
        page, translated = _composed_page(settings, name, lang)
    return Statements(name, tagline, settings.publisher, lic.name, lic.url, page, translated)


def _composed_page(settings: Settings, name: str, lang: str) -> tuple[str, bool]:
    def say(key: str, **values: str) -> str:
        return translate(lang, "statement." + key, STATEMENT[key]).format(**values)

    lic, contact = settings.licence, settings.contact
    lines = [say("published_by", name=name, publisher=settings.publisher) if settings.publisher
             else say("about", name=name)]
    if lic.name:
        lines.append(say("licensed", licence=f"[{lic.name}]({lic.url})" if lic.url else lic.name))
        if lic.attribution:
            lines.append(say("attribution", attribution=lic.attribution))
    else:
        lines.append(say("no_licence"))
    reach = [x for x in (contact.organisation, contact.email and f"<{contact.email}>",
                         contact.web and f"<{contact.web}>") if x]
    if reach:
        lines.append(say("contact", contact=", ".join(reach)))
    translated = lang == "en" or all(has_translation(lang, "statement." + k, v) for k, v in STATEMENT.items())
    page = " ".join(lines)
    if settings.credits.languages:
        credits = settings.credits.resolve(lang)
        page += "\n\n" + credits.text
        translated = translated and not credits.fallback
    return page + "\n\n" + say("software"), translated



#: Words of the web interface: key -> English (translations in the catalogues, context "web.KEY").
_WEB: dict[str, str] = {
    'site': N_('web.site', 'CCI Method Toolbox'),
    'tagline': N_('web.tagline', 'Methods for cultural and creative industries in industrial regions'),
    'skip': N_('web.skip', 'Skip to results'),
    'search': N_('web.search', 'Search'),
    'search_label': N_('web.search_label', 'Search methods, pilot actions and regions'),
    'filters': N_('web.filters', 'Filters'),
    'apply': N_('web.apply', 'Apply filters'),
    'clear_filters': N_('web.clear_filters', 'Clear all filters'),  # not 'clear': U.clear is dict.clear
    'did_you_mean': N_('web.did_you_mean', 'Did you mean'),
    'showing_for': N_('web.showing_for', 'Showing results for'),
    'search_instead': N_('web.search_instead', 'Search instead for'),
    'unmatched': N_('web.unmatched', 'No record contains {words}; the results match the other words.'),
    'unmatched_all': N_('web.unmatched_all', 'No record contains {words}.'),
    'no_results': N_('web.no_results', 'Nothing matches.'),
    'try_without': N_('web.try_without', 'Try without'),
    'fewer_words': N_('web.fewer_words', 'Try fewer or other words.'),
    'show_all': N_('web.show_all', 'Show all {n}'),
    'show_fewer': N_('web.show_fewer', 'Show fewer'),
    'sort': N_('web.sort', 'Sort by'),
    'relevance': N_('web.relevance', 'relevance'),
    'title': N_('web.title', 'title'),
    'effort': N_('web.effort', 'effort'),
    'language': N_('web.language', 'Language'),
    'previous': N_('web.previous', 'Previous'),
    'next': N_('web.next', 'Next'),
    'page_of': N_('web.page_of', 'Page {page} of {pages}'),
    'add': N_('web.add', 'Add to booklet'),
    'in_basket': N_('web.in_basket', 'In the booklet'),
    'remove': N_('web.remove', 'Remove'),
    'up': N_('web.up', 'Move up'),
    'down': N_('web.down', 'Move down'),
    'basket': N_('web.basket', 'Booklet'),
    'basket_empty': N_('web.basket_empty', 'Your booklet is empty. Add records from the search or a record page.'),
    'download_pdf': N_('web.download_pdf', 'Download PDF'),
    'download_html': N_('web.download_html', 'Download HTML'),
    'download_recipe': N_('web.download_recipe', 'Download recipe (YAML)'),
    'share': N_('web.share', "This page's address holds the booklet: copy it to share or keep it."),
    'export': N_('web.export', 'Download these results'),
    'back': N_('web.back', 'Back to the search'),
    'regions_like': N_('web.regions_like', 'Regions like this one'),
    'api': N_('web.api', 'JSON API'),
    'not_found': N_('web.not_found', 'Not found'),
    'bad_request': N_('web.bad_request', 'This request cannot be answered'),
    'all': N_('web.all', 'all'),
    'kind': N_('web.kind', 'Kind of record'),
    'quote': N_('web.quote', '“{}”'),
    'show_more': N_('web.show_more', 'more'),
    'too_large': N_('web.too_large', 'This request is too large'),
    'method': N_('web.method', 'This address only answers GET requests'),
    'unavailable': N_('web.unavailable', 'The search is not available at the moment'),
    'unavailable_hint': N_('web.unavailable_hint', 'Please try again in a few minutes.'),
    'busy': N_('web.busy', 'Another download is being prepared'),
    'busy_hint': N_('web.busy_hint', 'Please try again in a few seconds.'),
    'internal': N_('web.internal', 'Something went wrong on our side'),
    'refuse_query_chars': N_('web.refuse_query_chars', 'the query is longer than {n} characters'),
    'refuse_query_words': N_('web.refuse_query_words', 'the query has more than {n} words'),
    'refuse_ranges': N_('web.refuse_ranges', 'ranges ([a TO b]) cannot be searched here'),
    'refuse_ranges_hint': N_('web.refuse_ranges_hint',
        "search for words; 'toolbox search' on the command line accepts ranges"),
    'refuse_wildcard_prefix': N_('web.refuse_wildcard_prefix',
        "'{text}': a wildcard needs at least {n} letters before * or ?"),
    'refuse_wildcard_prefix_hint': N_('web.refuse_wildcard_prefix_hint',
        "remove the * or ?, or write more letters, as in 'hack*'"),
    'refuse_wildcards': N_('web.refuse_wildcards', 'the query has more than {n} wildcards'),
    'refuse_address_length': N_('web.refuse_address_length', 'the address is longer than {n} KB'),
    'refuse_params': N_('web.refuse_params', 'the address has more than {n} parameters'),
    'refuse_control': N_('web.refuse_control', 'the address contains control characters'),
    'refuse_filter_values': N_('web.refuse_filter_values', 'more than {n} filter values'),
}
WEB_LABELS: Mapping[str, dict[str, str]] = _ByLanguage(_WEB, "web.")


def web_labels(lang: str) -> dict[str, str]:
    return {key: translate(lang, "web." + key, english) for key, english in _WEB.items()}


#: Words of the command line's reader-facing output (``show``, ``search``, ``similar``, ``stats``):
#: key -> English, context "cli.KEY".
_CLI: dict[str, str] = {
    'for_query': N_('cli.for_query', 'for “{query}”'),
    'no_query': N_('cli.no_query', '(no query text)'),
    'with_filters': N_('cli.with_filters', 'with {filters}'),
    'showing': N_('cli.showing', 'showing {shown}, sorted by {sort}'),
    'search_instead': N_('cli.search_instead', 'search instead for “{query}” with --exact'),
    'no_match_filter': N_('cli.no_match_filter',
                          'No match. Try again without a filter, e.g. without --{option}, or with fewer words.'),
    'no_match': N_('cli.no_match', "No match. Try fewer or other words, or another language's spelling."),
    'score': N_('cli.score', 'score'),
    'kind': N_('cli.kind', 'kind'),
    'title': N_('cli.title', 'title'),
    'facets': N_('cli.facets', 'Facets'),
    'facets_hint': N_('cli.facets_hint', '(count if the value were chosen; * = chosen)'),
    'more': N_('cli.more', '… {n} more'),
    'regions_like': N_('cli.regions_like', 'Regions like {what}'),
    'your_profile': N_('cli.your_profile', 'your profile'),
    'score_of': N_('cli.score_of', 'score {score}'),
    'nothing_in_common': N_('cli.nothing_in_common', 'little in common on the compared points'),
    'pilot': N_('cli.pilot', 'pilot action'),
    'shared_industries': N_('cli.shared_industries', 'shared industries: {industries}'),
    'related_industries': N_('cli.related_industries', 'related industries: {pairs}'),
    'similar_size': N_('cli.similar_size', 'similar size ({population} inhabitants)'),
    'size_within': N_('cli.size_within', 'size within a factor of {ratio} ({population} inhabitants)'),
    'same_settlement': N_('cli.same_settlement', 'same settlement type: {settlement}'),
    'translations': N_('cli.translations', 'Translations'),
    'translations_hint': N_('cli.translations_hint', '(text fields translated; records complete)'),
    'fields': N_('cli.fields', '{done}/{total} fields'),
    'complete': N_('cli.complete', '{done}/{total} records complete'),
    'none': N_('cli.none', '(none)'),
    'problems': N_('cli.problems', '{errors} errors, {warnings} warnings (details: toolbox validate)'),
}

#: Counted messages: key -> (singular, plural) in English; each language has its own forms.
_COUNTS: dict[str, tuple[str, str]] = {
    'results': NP_('count.results', '{n} result', '{n} results'),
    'records': NP_('count.records', '{n} record', '{n} records'),
    'methods': NP_('count.methods', '{n} method', '{n} methods'),
    'pilots': NP_('count.pilots', '{n} pilot action', '{n} pilot actions'),
    'regions': NP_('count.regions', '{n} region profile', '{n} region profiles'),
}


def cli_labels(lang: str) -> dict[str, str]:
    return {key: translate(lang, "cli." + key, english) for key, english in _CLI.items()}


CLI_LABELS: Mapping[str, dict[str, str]] = _ByLanguage(_CLI, "cli.")


def count(lang: str, key: str, n: int) -> str:
    """``n`` things of kind ``key`` ("results", "methods" …) in ``lang``: "1 výsledek", "5 výsledků"."""
    return translate_plural(lang, "count." + key, _COUNTS[key], n)


def kind_label(kind: str, lang: str) -> str:
    key = "region_kind" if kind == "region" else kind
    return translate(lang, key, _HANDBOOK[key])
