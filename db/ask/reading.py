"""Reading a question: candidate readings (family × theme × actors × years), ranked.

What a question is about (theme, actors, years) is found with the records' own
words (`db.ask.index`); what kind of answer it wants (who, how many, what was
said, who spoke …) from cue words. Each family that the question's slots allow
becomes a candidate reading, scored by its cues and by how well its slots are
filled; the best is answered and close runners-up are offered.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from db.ask.answers import OFTEN_TOPIC, SUPPORTS, Reading, pillar_topic
from db.ask.index import AskIndex, FactDoc, ThemeDoc
from db.ask.words import stem, words
from db.names import NameEntry, NameIndex, fold

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)")
_MARKDOWN = re.compile(r"[*_~`|>#]+")
_STANCE_WORD = re.compile(r"oppos\w*|against|reject\w*|object\w*|critic\w*|disagree\w*|hostile|concern\w*|worr\w*|apprehens\w*"
                          r"|reservations?|doubt\w*|sceptic\w*|skeptic\w*|misgiving\w*|wary|fears?|feared|uneasy|qualms|naysayers?|critical"
                          r"|unhappy|dissatisf\w*|displeas\w*|frustrat\w*|upset|lukewarm"
                          r"|support\w*|backed|backing|backs|endors\w*|favou?r\w*|champion\w*|welcom\w*|prais\w*")
_WHO_IS = re.compile(r"^(?:so |and |ok |okay |hey |hi )?who (?:is|was|are|were) (?!the\b|a\b|an\b)")
_ABOUT_WORDS = r"about|on|regarding|concerning"
_ABOUT_TOPIC = re.compile(rf"\b(?:{_ABOUT_WORDS})\b")  # "what did X say about …"
_ABOUT = re.compile(rf"\b(?:{_ABOUT_WORDS}|over)(?: the)? $")  # the words just before a name: "said about Syria"
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
# "what's RwP", "whats RwP", "who's the moderator": "is", not a possessive
_CONTRACTED_IS = re.compile(r"\b(what|who|where|when|how|which|that|there|here)(?:['’]s|s)\b", re.IGNORECASE)


MEETING = r"(?:dialogue|meeting|debate|session)"  # the words that name one of the General Assembly's meetings


def cue(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern)


CUES = {
    "count": cue(r"\bhow many\b|\bnumber of\b|\bcount\b|\btotal\b|\bhow often\b"),  # not "how much": money, time
    "who": cue(r"\bwho\b|\bwhich\b|\bwhat (?:states|countries|nations|governments|delegations|organi[sz]ations|groups|ngos|actors)\b"
               r"|\blist\b|\bname (?:the|all|any)\b|\bnames of\b|\bidentify\b|\bany (?:state|country|government|one)\b"),
    "did": cue(r"^(?:so |and |but |ok |okay |hey |also |then )?(?:did|does|do|has|have|was|were|is|are)\b|\bwhether\b|\bif\b"),
    "say": cue(r"\bsay\b|\bsaid\b|\bsays\b|\bstance\b|\bposition\b|\bviews?\b|\bthink\b|\bthought\b|\bargue\w*|\bstated?\b|\bmessages?\b"
               r"|\bremarks?\b|\btell me about\b|\bwhat did (?:states|countries|nations|delegations|governments|they|participants|people|speakers) \w+|\bcontribut\w*|\bwhat (?:was|is) \w+(?: \w+)?(?:'s)? (?:line|view|take)\b|\bon record\b|\brecord\w*"),
    "speak": cue(r"\bspeak\w*|\bspoke\w*|\bspeakers?\b|\btook the floor\b|\btak(?:e|es|ing|en) the floor\b|\bdeliver\w*|\b(?<!military )(?<!costly )(?<!armed )(?<!foreign )interventions\b(?! (?:by|in|under) (?:force|nato|the west))|\bintervened\b"
                 r"|\bstatements?\b|\bparticipat\w*|\btook part\b|\btake part\b|\btaking part\b|\battend\w*|\baddress\w*|\bin attendance\b|\bpresent at\b"
                 r"|\bturn ?out\b|\bturned out\b"
                 r"|^(?:was|were|is) (?:\w+ ){1,4}(?:at|present|there)\b"),
    # "which dialogue had the most speakers", "did more states speak in 2014": meetings ranked by how many spoke
    "rank": cue(r"\bmost\b|\bfewest\b|\bleast\b|\blargest\b|\bbiggest\b|\bsmallest\b|\bhighest\b|\blowest\b|\bbusiest\b"
                r"|\bquietest\b|\bbest[- ]attended\b|\bworst[- ]attended\b|\brecord (?:number|turnout)\b|\bpeak\w*"
                r"|\b(?:more|fewer|less|bigger|larger|smaller|higher|lower) (?:\w+ ){0,2}(?:states|countries|nations|speakers|delegations"
                r"|governments|participants|participation|turnout|people|statements)\b|\b(?:more|less) (?:popular|attended|crowded)\b"
                r"|\b(?:bigger|larger|smaller|busier|quieter)\b"),
    "fewest": cue(r"\bfewest\b|\bleast\b|\bsmallest\b|\blowest\b|\bquietest\b|\bworst[- ]attended\b|\bfewer\b|\bless\b"
                  r"|\bsmaller\b|\blower\b|\bquieter\b"),
    "trend": cue(r"\bgr[eo]w\w*|\bincreas\w*|\bdeclin\w*|\bdecreas\w*|\bdropp?\w*|\bfell\b|\bfall\w*|\brise\b|\brisen\b|\brising\b"
                 r"|\brose\b|\bshr[iau]nk\w*|\btrends?\b|\b(?:gone|go|going|went|gets?|got) (?:up|down)\b|\bdwindl\w*|\bwan(?:e|ed|es|ing)\b|\bslump\w*"),
    "future": cue(rf"\b(?:next|upcoming|future|coming) (?:ga |general assembly |informal |interactive )*{MEETING}s?\b"),
    "list": cue(r"^(?:please |can you |could you )?(?:list|name|show(?: me)?|give(?: me)?|enumerate)\b"),
    # "do the sources agree on how many spoke": the counts of each source, side by side
    "per_source": cue(r"\bsources? (?:agree|differ|disagree|conflict)\w*|\bdo (?:the )?sources\b|\b(?:each|every|per) source\b"
                      r"|\baccording to (?:each|the different|different) sources?\b"),
    "compare": cue(r"\bcompar\w*|\bversus\b|\bvs\b|\bdiffer\w*|\bcontrast\w*|\bhow (?:\w+ ){0,5}chang\w*|\bchang\w* (?:over|between|from|across|since)\b"
                   r"|\bevolv\w*|\bover time\b|\bover the years\b"
                   r"|\bacross (?:the )?(?:years|dialogues|meetings)\b|\bboth\b|\bsimilar\w*|\bagree with each other\b|\bfrom one year\b"
                   r"|\b(?:the )?same (?:thing|things|view|views|position|positions|line)\b"),
    "themes": cue(r"\bthemes?\b|\btopics?\b|\bissues?\b|\bsubjects?\b|\bwhat was discussed\b|\bdiscussed at\b|\bmain points\b"
                  r"|\bcame up\b|\bcovered\b|\bon the table\b|\bwhat did (?:they|states|delegations|people) (?:talk|discuss)"),
    "behalf": cue(r"\bbehalf\b|\bfor whom\b|\b(?:speak|spoke|speaking|speaks|talk|talked|talking) for\b|\brepresent\w*|\bin the name of\b"
                  r"|\b(?:deliver\w*|made|make|gave|give|read) (?:\w+ ){0,2}(?:remarks|statements?|speech\w*|interventions?) for\b"),
    "moderator": cue(r"\bmoderat\w*|\bchair\w*|\bfacilitat\w*|\bran the (?:panel|debate|dialogue)\b"),
    "panelist": cue(r"\bpanel\w*|\bexperts?\b"),
    "opening_remarks": cue(r"\bopen(?:ed|ing|s)?\b|\bkick\w* off\b|\bbegan\b|\bstarted the (?:meeting|dialogue|debate)\b|\bfirst to speak\b"),
    "report": cue(r"\breports?\b"),
    "reports_list": cue(r"\b(?:which|what|list|all|every|each) (?:\w+ ){0,2}reports\b|\breports (?:has|have|did)\b"),
    "title": cue(r"\btitle\w*|\bcalled\b|\bnamed\b|\bname of\b|\bentitled\b|\bwhat was it about\b"),
    "symbol": cue(r"\bsymbol\b|\bdocument (?:number|code)\b|\bun number\b|\bcode\b|\ba/\d+"),
    "date": cue(r"\bdates?\b|\bdated\b|\bwhen\b|\breleased?\b|\bpublish\w*|\bissued\b|\bcame out\b|\bwhat day\b"),
    "first": cue(r"\bfirst (?:ever )?(?:ga |general assembly |informal |interactive )*(?:dialogue|meeting|debate|session|time)\b"
                 r"|\bwhen did (?:\w+ ){0,4}(?:start|begin|first)\b|\bsince when\b"
                 r"|\b(?:first|initially) (?:discuss|debat|consider|address|took up|take up|tackl|held|met|convened)\w*"
                 r"|\b(?:start|began|begin)\w* (?:\w+ ){0,3}(?:dialogues?|meetings?|debat\w*|discuss\w*|talk\w*)\b"),
    "how_many_meetings": cue(r"\bhow many (?:\w+ ){0,4}(?:dialogues|meetings|debates|sessions|times)\b|\bnumber of (?:\w+ ){0,3}(?:dialogues|meetings|debates)\b"),
    "agenda": cue(r"\bformal agenda\b|\bagenda item\b|\b(?:on|onto|to) (?:the )?(?:ga(?:'?s)? |general assembly(?:'?s)? |un(?:'?s)? )?agenda\b|\bformali[sz]\w*"
                  r"|\bfirst (?:ever )?formal (?:ga |general assembly |plenary )?(?:debate|meeting|session)\b"),
    "gaps": cue(r"\bwithout (?:a |any )?(?:meeting|dialogue|debate)\b|\bno (?:ga )?(?:meeting|dialogue|debate)\b|\bskipp\w*|\bcancel\w*"
                r"|\bmissed\b|\bgaps?\b|\bnot held\b|\bwasn.?t held\b|\bdidn.?t (?:meet|take place|happen)\b|\bnever met\b|\bno dialogue\b|\bpaus\w*"),
    "happened": cue(r"\bwhat happened\b|\bwhat took place\b|\bwhat (?:was|were) (?:held|on)\b|\bsummar\w*|\boverview\b|\brecap\b|\bwhat went on\b"
                    r"|\bwhat kind of meeting\b|\btell me about (?:the )?\d{4}|\bwhen was\b|\bwhen did\b|\bwhen is\b|\bwhere was\b"
                    rf"|\bwhat (?:was|were|is) (?:the )?(?:\w+ ){{0,3}}{MEETING}s? (?:\w+ )?about\b"),
    "timeline": cue(r"\btimeline\b|\bhistory\b|\bevery (?:year|meeting|dialogue)\b|\ball (?:the )?(?:meetings|dialogues|debates)\b|\bsince 2009\b|\beach year\b"),
    "define": cue(r"\bwhat (?:is|are|does|do|was)\b|^what (?:the|a|an)\b|\bdefin\w*|\bmean\w*|\bexplain\w*|\bstand for\b|\bconcept\b|\bidea (?:of|behind)\b"
                  r"|\bmeant by\b|\bwhat.s\b|\bdescribe\b|\bintroduc\w*|\bbasics?\b|\bin (?:plain|simple) (?:words|terms|english)\b"),
    "regional": cue(r"\bregional\b|\bsub ?regional\b|\bregions?\b"),
    "regional_do": cue(r"\b(?:do|does|can|could|should|role|roles|contribut\w*|help\w*|play|part)\b"),
    "opposes": cue(r"\boppos\w*|(?<!violence )(?<!crimes )(?<!crime )(?<!atrocities )(?<!attacks )\bagainst\b"
                   r"(?! (?:the )?(?:women|girls|children|civilians|humanity|populations?|people|minorities|atrocit\w*|crimes?|genocide"
                   r"|violence|abuses?)\b)|\breject\w*|\bobject\w*|\bcriticis\w*|\bcriticiz\w*|\bdisagree\w*|\bhostile\b|\bdenounc\w*"
                   r"|\bresist\w*|\bdismiss\w*|\bnay ?sayers?\b|\bcritical\b|\bdetractors?\b|\bopponents?\b|\bsceptics?\b|\bskeptics?\b|\bpush\w* back\b|\bnot in favou?r\b|\bdissent\w*"),
    "concerned": cue(r"\bconcern\w*|\bworr\w*|\bapprehens\w*|\breservations?\b|\bdoubt\w*|\bsceptic\w*|\bskeptic\w*|\bmisgiving\w*"
                     r"|\bwary\b|\bfears?\b|\bfeared\b|\buneasy\b|\bqualms\b|\bcautio\w*|\bnervous\b|\buncomfortable\b|\bhesita\w*"
                     r"|\bunhappy\b|\bdissatisf\w*|\bdispleas\w*|\bfrustrat\w*|\bupset\b|\bnot (?:happy|keen|convinced)\b|\blukewarm\b"),
    "supports": cue(r"\bsupport\w*|\bbacked\b|\bback(?:ing|s)?\b|\bendors\w*|\bin favou?r\b|\bchampion\w*|\bwelcom\w*|\bpraise\w*"),
    "states": cue(r"\bstates?\b|\bcountr(?:y|ies)\b|\bnations?\b|\bgovernments?\b|\bdelegations?\b"),
    "organisations": cue(r"\borgani[sz]ations?\b|\bngos?\b|\bcivil society\b|\bregional (?:bodies|groups|organi)|\bbodies\b|\bgroups?\b|\bregional\b"),
    "officials": cue(r"\bofficials?\b|\bun staff\b|\bsecretar\w*|\badvis[eo]rs?\b|\bpanel\w*|\bpeople\b|\bindividuals?\b|\bpersons?\b"),
    "not_delivered": cue(r"\bnot deliver\w*|\b(?:were|was|are|is)n.?t deliver\w*|\bundelivered\b|\bdistributed\b|\bdidn.?t deliver\w*|\bnever delivered\b|\bonly in writing\b|\bwritten statement\b|\bwithout delivering\b"),
    "raise": cue(r"\brais\w*|\bask(?:ed|s|ing)? (?:for|that|to|the)\b|\bmention\w*|\bhighlight\w*|\bstress\w*|\bemphasi[sz]\w*|\bcall\w* for\b|\burg\w*|\bwant\w*|\bpush\w*"
                 r"|\bback\w*|\bsupport\w*|\bspo?ke? up\b|\bspeak\w* up\b|\bbr(?:ing|ought) up\b|\btalk\w* about\b|\bspoke about\b|\bspeak about\b|\bwarn\w*|\bpoint\w* to\b|\bagree\w*|\bcit(?:e|ed|es|ing)\b|\bnot(?:ed|es|ing)\b|\bunderlin\w*|\bexpress\w*|\bvoic\w*|\bfocus\w*|\bcare\w* about"),
    "rtop": cue(r"\b(?:rtop|r2p|responsibility to protect)\b"),
    "pillar": cue(r"\bpillars?\b"),
    "language": cue(r"\blanguages?\b|\bin (?:spanish|french|english|russian|arabic|chinese)\b|\b(?:spanish|french|english|russian|arabic|chinese)[- ]speaking\b"),
}
LANGUAGES = ("Spanish", "French", "English", "Russian", "Arabic", "Chinese")
_LANGUAGE = re.compile(r"\b(spanish|french|english|russian|arabic|chinese|espanol|francais)\b")
_LANGUAGE_NAMES = {"espanol": "Spanish", "francais": "French"}
_PILLAR_NUMBER = re.compile(  # "pillars 1 and 3" and "the second and third pillars" first, so both are read
    r"\bpillars? (one|two|three|iii|ii|i|1|2|3) (?:and|&|or|vs|versus|with) (?:pillar )?(one|two|three|iii|ii|i|1|2|3)\b"
    r"|\b(first|second|third) (?:and|&|or|vs|versus|with) (?:the )?(first|second|third) pillars?\b"
    r"|\bpillar (one|two|three|iii|ii|i|1|2|3)\b|\b(first|second|third) pillar\b|\bpillars? (?:no\.? )?(1|2|3)\b")
PILLAR_WORDS = {"one": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3, "i": 1, "ii": 2, "iii": 3,
                "first": 1, "second": 2, "third": 3}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8}
_ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + rf") (?:annual |informal |interactive |ga |general assembly |un )*{MEETING}\b")
_MEETING_YEAR = re.compile(rf"\b{MEETING}s?\b")
_WHICH_YEAR = re.compile(rf"\b(?:which|what) years?\b|\bwhich {MEETING}\b")
_ORDINAL_REPORT = re.compile(r"\b(" + "|".join(ORDINALS) + r") (?:\w+ ){0,2}reports?\b")
# "which year's meeting had …", "when did the most states speak", "the dialogue that drew …": a meeting is asked for
_WHICH_MEETING = re.compile(rf"\b(?:which|what) (?:\w+ ){{0,2}}(?:years?|{MEETING}s?)\b|\bwhen\b|\bin which\b"
                            rf"|\b{MEETING}s? (?:\w+ )?(?:had|has|saw|drew|attracted|got|with)\b")
# "the largest dialogue", "the best-attended meeting": a meeting's size is asked for, whatever else is
_MEETING_SIZE = re.compile(rf"\b{MEETING}s? (?:was|were|is|had|drew) (?:the )?(?:most|least|best|worst)[- ](?:popular|attended|crowded)\b"
                           rf"|\b(?:largest|biggest|smallest|busiest|quietest|best[- ]attended|worst[- ]attended|least[- ]attended"
                           rf"|most[- ]attended|most popular|least popular|most crowded) (?:\w+ ){{0,3}}{MEETING}s?\b"
                           rf"|\b(?:largest|biggest|smallest|highest|lowest|greatest|record) (?:crowd|audience|attendance|turn ?out"
                           rf"|participation|number of (?:\w+ )?(?:states|countries|speakers|delegations|participants))\b"
                           rf"|\b(?:rank|ranked|ranking|sort|sorted|order|ordered) (?:the |all |every )?(?:\w+ )?{MEETING}s?\b")
# "participation", "the number of states speaking": the question is about how many spoke, whatever theme its other
# words touch ("has participation grown": not the theme of growing acceptance)
_TURNOUT_SUBJECT = re.compile(r"\bparticipation\b|\bturn ?out\b|\b(?:number|count|numbers) of (?:\w+ ){0,2}(?:states|countries|speakers"
                              r"|delegations|governments|participants|statements)\b|\bhow many (?:\w+ ){0,2}(?:states|countries|speakers"
                              r"|delegations|governments) (?:\w+ )?(?:speak|spoke|took part|take part|participat\w*|attend\w*|turn\w* out)\b")
# "which state spoke the most", "spoken at every dialogue", "most often": actors ranked by how many meetings they
# spoke at, when the question is about speaking ("how much is spent every year" is not) or says "most active"
_OFTEN = re.compile(r"\bmost (?:often|frequently|regularly|consistently|times)\b|\bmost\b(?! (?:about|on|of|against|for|in favou?r)\b)"
                    rf"|\b(?:the )?most (?:{MEETING}s|statements|interventions|speeches)\b"
                    rf"|\b(?:at|in|to) (?:every|each|all)(?: of)?(?: the)? (?:single )?(?:{MEETING}s?|years?)\b|\bevery (?:single )?(?:year|time)\b")
_ACTIVE = re.compile(r"\bmost (?:active|vocal|engaged)\b"
                     r"|\b(?:frequent|regular|repeat|consistent|recurring) (?:speakers?|participants?|contributors?|attendees?)\b")
# "did Cuba and Venezuela agree": two actors compared
_AGREE = re.compile(r"\b(?:agree|agreed|disagree|disagreed|differ|differed|side with|sided with)\b")
_WHICH_LANGUAGES = re.compile(r"\b(?:which|what) languages?\b|\blanguages? (?:used|spoken|heard)\b")
_ONTO = re.compile(r"\b(?:reach\w*|get|got|gets|put|become|became|added|placed|inscribed|included|made it)\b")
_SINCE = re.compile(r"\b(?:since|from|after) (?:the )?(20\d\d)\b(?! (?:to|and|until|till) )")
_LATEST = re.compile(rf"\b(?:most recent|latest|last|newest) (?:\w+ ){{0,3}}{MEETING}\b")
# terms the sources use that a definition question may ask about, beyond themes and pillars
TERMS = {
    "structural prevention": re.compile(r"\bstructural(?:ly)? prevent\w*|\bstructural\b"),
    "operational prevention": re.compile(r"\boperational(?:ly)? prevent\w*|\boperational\b"),
}
# "which regional organisations", "how many member states": who is asked about, not a topic
_KIND_PHRASE = re.compile(
    r"\b(?:which|what|how many|list(?: the| all)?|name(?: the| all)?|any|the|did any|were there any)"
    r"(?: (?:other|african|european|latin american|asian|western|small|un|regional|sub ?regional|civil society|"
    r"non ?governmental|international|member|observer))* (?:organi[sz]ations?|ngos?|groups?|bodies|states?|countries|"
    r"nations|delegations?|governments?|actors?|officials?|speakers?|participants?)\b")
# "what does the Secretary-General say about sanctions": the report is the Secretary-General's
_REPORT_AUTHOR = re.compile(r"\b(?:secretary[- ]?general|un ?sg|sg)\b")
_TITLE_SKIP = frozenset(stem(w) for w in (*ORDINALS, "report", "reports", "secretary", "general"))
# the words of "what role can regional organisations play": what is asked of the report, not one of its points
_FACT_SKIP = _TITLE_SKIP | frozenset(stem(w) for w in ("role", "roles", "play", "organisation", "organisations",
                                                       "organization", "organizations", "arrangement", "arrangements"))
_DEFINE_SUBJECT = re.compile(r"^(?:so |and |ok |okay |hey |hi |please )*(?:what(?:'s| is| are| does| do|(?= (?:the|a|an) ))|define|explain"
                             r"|describe|meaning of)\b")  # "what the …": what is asked may have lost its verb ("what the veto is")
_MEANING = re.compile(r"\bmean(?:s|t|ing)?\b|\bdefin\w*|\bstand for\b")


@dataclass(frozen=True)
class Slots:
    """What a question names and asks for, before it is read as one family."""

    text: str  # folded
    stems: tuple[str, ...]  # content stems, in order
    cues: frozenset[str]
    years: tuple[int, ...]
    actors: tuple[NameEntry, ...]
    themes: tuple[tuple[float, ThemeDoc], ...]  # best first
    themes_without_actors: tuple[tuple[float, ThemeDoc], ...]
    pillar: int | None
    languages: tuple[str, ...]
    terms: tuple[str, ...]
    ordinal_year: int | None
    topical: int  # content words the records do not know
    core: dict[int, float] | None = None  # theme scores without the question's stance words, when it has any
    kinds: str | None = None  # states | organisations | officials: what "which …" asks for
    actor_topic: bool = False  # an actor named is also a theme's keyword ("Libya", "Syria")
    facts: tuple[tuple[float, FactDoc], ...] = ()  # the report's points the words match, best first
    facts_name_actor: bool = False  # the best point is about an actor the question names ("the African Union")
    pillars: tuple[int, ...] = ()  # every pillar named, in order ("the difference between pillar 2 and pillar 3")
    report_years: tuple[int, ...] = ()  # the years of the reports whose titles the words name ("the regional arrangements report")
    actor_is_topic: bool = False  # an actor named after "about" whose name a theme holds ("said about Syria")
    since: tuple[int, ...] = ()  # the meetings from a year on ("has participation fallen since 2015")


def clean_question(question: str) -> str:
    """The question without mentions and markdown, spaces collapsed."""
    text = _MENTION.sub(" ", question)
    text = _MARKDOWN.sub(" ", text)
    text = _CONTRACTED_IS.sub(r"\1 is", text)
    text = _POSSESSIVE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def not_english(question: str, index: AskIndex) -> bool:
    """Mostly words of other languages and few English ones (names do not count either way)."""
    ws = words(question)
    if len(ws) < 2:
        return False
    foreign = sum(1 for w in ws if w in index.vocab.foreign)
    english = sum(1 for w in ws if stem(w) in index.vocab.stopwords or stem(w) in index.vocab.not_topic)
    return foreign >= 2 and foreign > english


_Phrase = tuple[NameEntry, str, bool, "re.Pattern[str]"]
_PHRASES: "weakref.WeakKeyDictionary[NameIndex, list[_Phrase]]" = weakref.WeakKeyDictionary()


def _phrases(index: NameIndex) -> list[_Phrase]:
    """(entry, needle, short, whole-word pattern) for every name and alias, compiled once per index.

    Short terms (acronyms, surnames) match case-sensitively, so "us" or "luck"
    in ordinary prose does not name a country or a person.
    """
    phrases = _PHRASES.get(index)
    if phrases is None:
        phrases = []
        for entry in index.entries:
            for term in (entry.name, *entry.terms):
                folded = fold(term)
                if len(folded) < 2:
                    continue
                short = len(folded) <= 4
                needle = _keep_case(term) if short else spelled(folded)
                phrases.append((entry, needle, short, re.compile(rf"(?<![\w]){re.escape(needle)}(?![\w])")))
        _PHRASES[index] = phrases
    return phrases


def _keep_case(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[.\"()\[\],;:!?]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_SPELLING = (("center", "centre"), ("organization", "organisation"))


def spelled(text: str) -> str:
    """One spelling for words names write either way ("Global Center" and "Global Centre")."""
    for american, british in _SPELLING:
        text = text.replace(american, british)
    return text


def find_actors(question: str, actors: NameIndex, index: AskIndex) -> tuple[list[NameEntry], list[tuple[int, int]]]:
    """Actors named in the question (longest names first, no overlaps), and their character spans in the folded text.

    An acronym typed in lower case ("the eu") still names its actor when it is no word of the vocabulary.
    """
    folded, cased = spelled(fold(question)), _keep_case(question)
    spans = []
    for entry, needle, short, pattern in _phrases(actors):
        haystack = cased if short else folded
        if needle not in haystack:
            low = needle.casefold()
            # a word of the records' prose ("luck") is no name in lower case; a country's short name is ("cuba"),
            # unless the vocabulary has it as a word ("us")
            plain = low in index.lexicon and not (entry.kind == "member_state" and low not in index.vocab.surface)
            if not short or low not in folded or plain or stem(low) in index.vocab.stopwords:
                continue
            haystack, pattern = folded, re.compile(rf"(?<![\w]){re.escape(low)}(?![\w])")
        for match in pattern.finditer(haystack):
            spans.append((match.end() - match.start(), match.start(), match.end(), entry, short and haystack is cased))
    spans.sort(key=lambda s: (-s[0], s[1]))
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, NameEntry]] = []
    for _, start, end, entry, short in spans:
        if short:  # positions in the case-kept text differ slightly from the folded one: locate it there
            located = folded.find(fold(cased[start:end]))
            start, end = (located, located + end - start) if located >= 0 else (start, end)
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if all(entry.id != f.id for _, _, f in found):
            found.append((start, end, entry))
    found.sort(key=lambda x: x[0])
    return [e for _, _, e in found], [(s, e) for s, e, _ in found]


def _fuzzy_actors(tokens: list[str], index: AskIndex, known: frozenset[str]) -> list[NameEntry]:
    """Names typed with a typo ("Phillipines"): unknown words or word pairs close to one name."""
    if not index.actor_terms:
        return []
    terms = index.actor_term_list
    out: list[NameEntry] = []
    for i, token in enumerate(tokens):
        if len(token) < 5 or stem(token) in known:
            continue
        candidates = [token]
        if i + 1 < len(tokens):
            candidates.append(f"{token} {tokens[i + 1]}")
        if i > 0:
            candidates.append(f"{tokens[i - 1]} {token}")
        best = None
        for text in candidates:
            match = process.extractOne(text, terms, scorer=fuzz.ratio, score_cutoff=80 if len(text) >= 6 else 86)
            if match and (best is None or match[1] > best[1]):
                best = match
        if best is not None:
            entry = index.actor_terms[best[2]][1]
            if all(entry.id != e.id for e in out):
                out.append(entry)
    return out


def _correct(token: str, index: AskIndex) -> str:
    """A misspelt content word replaced by the records' closest word, if one is close."""
    s = stem(token)
    if s in index.known or len(token) < 5:
        return s
    match = process.extractOne(s, index.idf_list, scorer=fuzz.ratio, score_cutoff=82)
    return match[0] if match else s


_TOKEN = re.compile(r"[^\W\d_]+")
MAX_CORRECTIONS = 12


def correct_typos(question: str, index: AskIndex) -> str:
    """Words the records and the vocabulary do not know, replaced by the closest word they do ("contries")."""
    budget = [MAX_CORRECTIONS]

    def fix(m: "re.Match[str]") -> str:
        word = m.group(0)
        folded = fold(word)
        if len(folded) < 4 or folded in index.lexicon or stem(folded) in index.known or budget[0] <= 0:
            return word
        budget[0] -= 1
        found = process.extractOne(folded, index.lexicon_list, scorer=fuzz.ratio, score_cutoff=80 if len(folded) >= 6 else 85)
        if found is None or found[0] in folded or folded in found[0] or stem(found[0]) in index.vocab.stopwords:
            # a small word one slip away ("whcih", "abut") is that word; "weather" is two from "whether", a word of its own
            small = process.extractOne(folded, index.stopword_list, scorer=OSA.distance, score_cutoff=1)
            return small[0] if small else word  # "indifference" holds "difference": a word of its own, not a typo
        return found[0]

    return _TOKEN.sub(fix, question)


def read_slots(question: str, actors: NameIndex, index: AskIndex, meetings: tuple[int, ...]) -> Slots:
    question = correct_typos(question, index)
    text = fold(question)
    cues = frozenset(name for name, pattern in CUES.items() if pattern.search(text))
    # a year that is no meeting's but a word of the records ("the 2005 World Summit") names a topic, not a meeting
    years = tuple(dict.fromkeys(int(y) for y in _YEAR.findall(text) if int(y) in meetings or y not in index.known))
    ordinal_year = None
    om = _ORDINAL.search(text)
    if om and not cues & {"first"} or (om and om.group(1) != "first"):
        n = ORDINALS[om.group(1)] if om else 0
        if 0 < n <= len(meetings):
            ordinal_year = meetings[n - 1]
    if ordinal_year is None and meetings and _LATEST.search(text):
        ordinal_year = meetings[-1]
    found, spans = find_actors(question, actors, index)
    # "what was said about Syria": an actor named as what was talked about, when a theme is about it too
    about = any(_ABOUT.search(text[:start]) and index.names_topic(entry) for entry, (start, _) in zip(found, spans))
    spans = list(spans) + [(m.start(), m.end()) for m in _KIND_PHRASE.finditer(text)]
    # "the third dialogue" names a meeting, not pillar three: its words count towards no theme
    counted = _ORDINAL.sub(" ", text) if ordinal_year and om else text
    if ordinal_year and om:
        spans.append(om.span())
    tokens = words(_KIND_PHRASE.sub(" ", counted))
    # words inside actor names do not count towards themes, unless a theme is named by them too ("Libya")
    outside = text
    for s, e in sorted(spans, reverse=True):
        outside = outside[:s] + " " * (e - s) + outside[e:]
    vocab = index.vocab
    skip = vocab.stopwords | vocab.not_topic
    inside_words = words(outside)
    fuzzy = _fuzzy_actors([w for w in inside_words if not w.isdigit()], index, index.known)
    for entry in fuzzy:
        if all(entry.id != a.id for a in found):
            found.append(entry)
    # years count towards a theme only where its words name them ("the following year's dialogue (2012)")
    content_all = [_correct(w, index) for w in tokens if not w.isdigit() or _YEAR.fullmatch(w)]
    content_out = [_correct(w, index) for w in inside_words if not w.isdigit() or _YEAR.fullmatch(w)]
    # a word that says what kind of answer is wanted ("change") names a topic inside a theme's phrase ("regime change")
    joined_all = f" {' '.join(content_all)} "
    in_phrase = {w for p in index.theme_phrases if p in joined_all for w in p.split()} - vocab.stopwords
    seq_all = [s for s in content_all if s not in skip or s in in_phrase]
    seq_out = [s for s in content_out if s not in skip or s in in_phrase]
    asked = years + ((ordinal_year,) if ordinal_year else ())
    themes_all = index.score_themes(vocab.expand(seq_all, content_all), content_all, asked)
    themes_out = index.score_themes(vocab.expand(seq_out, content_out), content_out, asked) if found else themes_all
    # a theme must be named by more than the words of a stance ("who raised concerns" is not about one theme)
    stance_stems = {stem(w) for w in tokens if _STANCE_WORD.fullmatch(w)}
    core_seq = [x for x in seq_all if x not in stance_stems]
    core = {doc.entry.id: score for score, doc in index.score_themes(vocab.expand(core_seq), [x for x in content_all if x not in stance_stems], asked)} if stance_stems else None
    pillars = tuple(dict.fromkeys(PILLAR_WORDS[g] for m in _PILLAR_NUMBER.finditer(text) for g in m.groups() if g))
    pillar = pillars[0] if pillars else None
    languages = tuple(dict.fromkeys(_LANGUAGE_NAMES.get(m, m.capitalize()) for m in _LANGUAGE.findall(text)))
    terms = tuple(t for t, rx in TERMS.items() if rx.search(text))
    # content words the records know nothing of ("capital", "football"): a sign the question is about something else
    topical = sum(1 for s in seq_out if s not in index.known and s not in index.idf)
    # the words that ask for a report or a meeting ("the 2011 report", "the third dialogue") name no point of it
    fact_seq = [x for x in seq_all if x not in _FACT_SKIP and not x.isdigit()]
    facts = index.score_facts(vocab.expand(fact_seq), content_all)
    names_actor = bool(facts) and any(facts[0][1].fact.actor == a.name for a in found)
    report_years: tuple[int, ...] = ()
    # "the third report", "the regional arrangements report"; "which year's dialogue was about regional arrangements"
    if not years and ("report" in cues or (_MEETING_YEAR.search(text) and ("date" in cues or _WHICH_YEAR.search(text)))):
        nth = _ORDINAL_REPORT.search(text)
        reports = sorted(index.report_titles)
        if nth and 0 < ORDINALS[nth.group(1)] <= len(reports):
            report_years = (reports[ORDINALS[nth.group(1)] - 1],)
        else:
            title_seq = [x for x in seq_all if x not in _TITLE_SKIP and not x.isdigit()]
            report_years = index.report_years(vocab.expand(title_seq), strict="report" not in cues)
    since_match = _SINCE.search(text)
    since = tuple(y for y in meetings if y >= int(since_match.group(1))) if since_match and len(years) == 1 else ()
    return Slots(text, tuple(seq_all), cues, years, tuple(found), tuple(themes_all[:5]), tuple(themes_out[:5]),
                 pillar, languages, terms, ordinal_year, topical, core, _kinds(text),
                 any(index.names_topic(a) for a in found), tuple(facts[:5]), names_actor, pillars, report_years, about,
                 since)


# -- candidate readings -----------------------------------------------------------------

THEME_FLOOR = 2.0  # a theme score below this is a stray word, not a topic


THEME_FULL = 9.0  # a theme score from which the theme is surely what the question is about


def _confidence(score: float, best: float) -> float:
    """0..1: how surely the question is about this theme (a runner-up far behind the best is less sure)."""
    if score < THEME_FLOOR:
        return 0.0
    return min(1.0, score / THEME_FULL) * (score / best) ** 0.5 if best else 0.0


REPORT_POINTS_YEAR = 2011  # the report whose points the records hold (seed/reports.yaml)
FACT_FLOOR, FACT_FULL = 12.0, 24.0  # a report point's score from which the question names it, and surely
AUTHOR_FACT_CONF = 0.75  # how surely a question to the Secretary-General with a point's word asks the report


def _fact_confidence(slots: Slots) -> float:
    """0..1: how surely the question names one of the report's points (by its subject's words)."""
    other_year = bool(slots.years) and REPORT_POINTS_YEAR not in slots.years  # "… the ICC in 2012": not the 2011 report
    if not slots.facts or slots.facts[0][0] < FACT_FLOOR or other_year:
        return 0.0
    return min(1.0, slots.facts[0][0] / FACT_FULL)


def candidates(slots: Slots, actors_index: NameIndex) -> list[Reading]:
    c = slots.cues
    has = c.__contains__
    years = slots.years or ((slots.ordinal_year,) if slots.ordinal_year else ())
    actors = slots.actors
    stance = "opposes" if has("opposes") else "concerned" if has("concerned") else "supports" if has("supports") and has("who") else None
    kinds = slots.kinds
    roles = tuple(r for r in ("opening_remarks", "moderator", "panelist") if has(r))
    # "how can regional bodies help under pillar three", "what are regional arrangements supposed to do about early
    # warning": what they do, not what the pillar or the theme is
    regional_do = has("regional") and has("regional_do")
    out: list[Reading] = []

    def add(family: str, score: float, **kw: Any) -> None:
        out.append(Reading(family, score=round(score, 3), years=kw.pop("years", years), **kw))

    # themes read from the words outside actors' names, and from all words: an actor's name may name the
    # topic ("about Libya"), surely when a theme's keywords hold it, less surely otherwise ("thanked Deng")
    theme_sets = [(slots.themes_without_actors, False, 1.0)] if actors else [(slots.themes, False, 1.0)]
    if actors and slots.themes and slots.themes_without_actors != slots.themes:
        # "who said the AU …": the actor is what was said about, surely so in a who-question
        topic_factor = 1.0 if (has("who") and not has("did")) or slots.actor_is_topic else 0.85 if slots.actor_topic else 0.6
        theme_sets.append((slots.themes, True, topic_factor))
    best_theme_conf = 0.0
    options: dict[int, tuple[float, ThemeDoc, bool]] = {}
    for ranked, names_actor, factor in theme_sets:
        top = ranked[0][0] if ranked else 0.0
        for score, doc in ranked[:3 if actors and has("did") else 2]:  # "did X …": X's own themes may be third
            conf = _confidence(score, top) * factor
            if slots.core is not None and slots.core.get(doc.entry.id, 0.0) < THEME_FLOOR:
                conf *= 0.25
            if conf > 0 and conf > options.get(doc.entry.id, (0.0,))[0]:
                options[doc.entry.id] = (conf, doc, names_actor)
                best_theme_conf = max(best_theme_conf, conf)
    theme_options = sorted(options.values(), key=lambda o: -o[0])
    one_actor = actors[:1]
    # words the records know nothing of ("football", "capital"): the more of the question, the less it is about them
    unknown = min(2.2, 2.8 * slots.topical / max(1, len(slots.stems)))
    strange = slots.topical >= 2 and 2 * slots.topical > len(slots.stems)  # most of its words: none of the records'
    speak_only = has("speak") and not has("raise")  # "who spoke", not "who spoke about"
    fact_conf = _fact_confidence(slots)
    who_asked = has("who") or has("count")

    for conf, doc, names_actor in theme_options:
        th = doc.entry
        # "the 2012 debate" in a theme recorded in 2011 that is about the 2012 debate: the year is its topic
        theme_years = tuple(y for y in years if not (y not in doc.years and f" {y} " in doc.texts[1]))
        # "did X raise …" asks about X; in "who mentioned X" X is what was mentioned
        acts = () if names_actor or not (has("did") or has("say")) or (has("who") and not has("did")) else one_actor
        raise_bonus = 0.6 if has("raise") else 0.0
        asks = any(has(x) for x in ("who", "count", "raise", "did", "say", "compare", "opposes", "concerned", "supports", "speak"))
        asks = asks or (not c and conf >= 0.6)  # "2012 veto": a theme's words alone ask who raised it
        base = (3.0 * conf + raise_bonus - (0 if asks or len(years) >= 2 else 1.6) - unknown
                - (1.5 * fact_conf if has("report") and not who_asked else 0))
        who = 1.0 if has("who") else 0.0
        did = 1.0 if acts and has("did") else 0.0
        # of themes the words match about as well, the one the actor asked about is recorded under
        own = 1.0 if acts and has("did") and acts[0].id in doc.actor_ids and conf >= 0.5 else 0.0
        st = stance if stance in ("opposes", "concerned") or (stance and who) else None
        add("theme_actors", base + who + did + own + (0.4 if st else 0) + (0.3 if kinds else 0) - (1.5 if speak_only else 0)
            - (1.0 if strange else 0),
            theme=th, actors=acts, stance=st, kinds=kinds, years=theme_years)
        if has("count"):
            # "how many meetings were formal debates" counts meetings, not those who raised a theme
            add("theme_count", base + 2.2 - (2.0 if has("how_many_meetings") else 0), theme=th, stance=st, kinds=kinds,
                years=theme_years)
        if len(theme_years) >= 2 or (has("compare") and not (len(actors) >= 2)):
            add("compare_years", base + (1.6 if len(theme_years) >= 2 else 0) + (1.2 if has("compare") else 0)
                - (1.0 if len(doc.years) < 2 else 0), theme=th, kinds=kinds, years=theme_years)
        if acts and (has("say") or has("did") or has("compare")) and not who:
            add("actor_said", 1.5 + 1.2 * conf + (1.0 if has("say") else 0.4), theme=th, actors=acts,
                topic="theme", years=theme_years)
        # "what's the deal with the S5 proposal": an actor whose name is the theme's keyword names the topic
        if (has("define") and not ((actors and (not slots.actor_topic or has("say"))) or years or slots.pillar or slots.terms)
                and _asks_about(slots, doc)):
            add("definition", 2.0 + 3.0 * conf - (1.5 if has("pillar") else 0) - (2.0 * fact_conf if has("report") else 0) - unknown
                - (1.0 if regional_do else 0),
                theme=th, topic="theme")
    if has("count") and (has("states") or has("organisations") or has("speak") or has("officials")) and not has("how_many_meetings"):
        per_source = 1.5 + 2.4 * best_theme_conf if has("per_source") else 0.0  # a count the sources give, not a theme
        # "how many countries criticised RtoP": who opposed or was concerned, not how many took part
        dissent_asked = 1.5 if (has("opposes") or has("concerned")) and not has("speak") else 0.0
        add("participation", 3.2 + (0.6 if has("speak") else 0) - 2.4 * best_theme_conf + (0.3 if years else 0) + per_source
            - dissent_asked, kinds=kinds)
    # the meetings ranked by how many member states spoke ("which dialogue had the most speakers", "did fewer
    # states speak in 2024 than in 2018"), or in year order ("has participation grown")
    sized = bool(_MEETING_SIZE.search(slots.text))
    by_states = kinds in (None, "states") and not (has("organisations") and not has("states"))
    # "which meeting had the fewest delegations": a meeting ranked by its states, when nothing else is asked of them
    which_meeting = bool(_WHICH_MEETING.search(slots.text))
    ranked_states = (has("rank") and has("states") and which_meeting
                     and not any(has(x) for x in ("raise", "say", "opposes", "concerned", "supports")))
    subject = bool(_TURNOUT_SUBJECT.search(slots.text))  # "the number of delegations": surely about turnout
    if ((has("speak") or sized or ranked_states or subject) and not actors and by_states
            and not (has("language") or has("not_delivered"))):
        turnout = 4.8 - (1.5 if subject else 3.0) * best_theme_conf
        if sized or (has("rank") and (which_meeting or len(years) >= 2)):
            add("participation", turnout, topic="fewest" if has("fewest") else "most", kinds="states")
        elif (has("trend") or has("compare")) and (len(years) != 1 or slots.since):
            add("participation", turnout - 0.4 + (1.6 if has("count") and (has("trend") or subject) else 0), topic="trend",
                kinds="states", years=slots.since or years)
    # "which state spoke the most", "who has spoken at every dialogue": the actors ranked by the meetings they spoke at
    often = bool(_OFTEN.search(slots.text)) and has("speak") or bool(_ACTIVE.search(slots.text))
    if often and not actors and not which_meeting and (len(years) != 1 or slots.since) and not sized:
        # a theme's words without "about" ("regional bodies") name the speakers, not what they said
        about = 3.0 if _ABOUT_TOPIC.search(slots.text) or has("raise") else 1.0
        add("speakers", 5.0 - about * best_theme_conf - (1.5 if has("count") else 0), topic=OFTEN_TOPIC,
            kinds=kinds or "states", years=slots.since or years)
    if stance in ("opposes", "concerned") or (has("opposes") or has("concerned")):
        st = stance or "concerned"
        asked_of = actors[:1] if actors and has("did") and not has("who") else ()  # "did China express any concerns"
        add("dissent", 3.0 + (1.0 if has("who") else 0) + (0.5 if has("did") else 0) + (1.0 if asked_of else 0)
            - 2.0 * best_theme_conf, stance=st, kinds=kinds, actors=asked_of)
    # "which states backed RtoP", "who endorsed the norm in 2012": support itself, when only the stance's words match a
    # theme ("Support for the Joint Office" shares the word): every supportive position, each with its theme
    if has("supports") and slots.core is not None and max(slots.core.values(), default=0.0) < THEME_FLOOR:
        asked_of = actors[:1] if actors and has("did") and not has("who") else ()
        if has("who") or asked_of:
            add("dissent", 4.6 + (1.0 if asked_of else 0) - 2.0 * best_theme_conf, stance=SUPPORTS, kinds=kinds,
                actors=asked_of)
    if has("themes"):
        add("dialogue_themes", 2.6 + (0.5 if years else 0) + (0.4 if has("count") else 0) - 1.5 * best_theme_conf
            - (1.5 if actors else 0))
    if actors:
        a0 = actors[0]
        if len(actors) >= 2 and (has("compare") or " and " in slots.text):
            add("compare_actors", 2.4 + (1.6 if has("compare") else 0) + (0.4 if has("say") else 0) - (1.0 if has("behalf") else 0)
                - (2.0 if has("who") and not has("compare") else 0) + (1.2 if _AGREE.search(slots.text) else 0),
                actors=actors[:3])
        if has("behalf"):
            add("behalf", 4.0, actors=(a0,), years=())
        if has("speak") or has("not_delivered") or has("language"):
            add("spoke_check", 2.6 + (1.0 if has("did") else 0) + (0.5 if years else 0) + (0.6 if has("not_delivered") else 0)
                - (1.0 if has("who") and not has("did") else 0), actors=(a0,))
        if roles:
            add("roles", 2.2 + (1.0 if a0.kind == "un_official" else 0), actors=(a0,), detail=roles)
        who_is = bool(_WHO_IS.match(slots.text))  # "who is Adama Dieng": what the records hold of them
        # "what did Costa Rica say about prevention": the reading with the topic, when a theme is named, comes first
        add("actor_said", 2.0 + (1.4 if has("say") else 0) + (0.3 if years else 0) - (0.8 if has("who") and not who_is else 0)
            - (1.0 if has("count") else 0) - unknown - (1.0 if has("define") and not has("say") else 0)
            - (1.5 if slots.actor_is_topic and len(actors) == 1 else 0) + (2.0 if who_is else 0)
            - (0.6 * best_theme_conf if has("say") and _ABOUT_TOPIC.search(slots.text) else 0), actors=(a0,))
    if roles:
        add("roles", 3.6 + (0.4 if years else 0) - (0.8 if has("report") else 0), detail=roles)
    languages_asked = has("language") and bool(_WHICH_LANGUAGES.search(slots.text))  # "what languages were used in 2014"
    if (has("speak") or (has("who") and (has("language") or kinds == "officials")) or has("not_delivered")
            or languages_asked
            or (kinds and has("list") and years)):  # "list the organisations at the 2012 dialogue"
        detail = tuple(slots.languages) + (("not_delivered",) if has("not_delivered") else ()) + (("behalf",) if has("behalf") else ())
        add("speakers", 2.0 + (1.5 if languages_asked else 0) + (1.5 if has("not_delivered") else 0) + (1.0 if has("who") else 0) + (0.6 if kinds else 0) + (0.8 if detail else 0) + (0.4 if years else 0)
            - (0.8 if speak_only else 2.2) * best_theme_conf - (1.0 if has("count") else 0) - (0.5 if actors else 0),
            kinds=kinds, detail=detail)
    if has("behalf") and not actors:
        add("speakers", 3.0, kinds=kinds, detail=("behalf",))
    if has("report") and not has("regional_do") or (has("report") and (has("title") or has("symbol") or has("date"))):
        field = "symbol" if has("symbol") else "title" if has("title") else "date" if has("date") else None
        # "the report on international assistance": a report named by its title's words, which a theme may share
        by_title = bool(slots.report_years) and not years and not has("reports_list")
        named = years or (slots.report_years if by_title else ())
        add("report", 2.6 + (1.6 if field else 0) + (1.6 if has("reports_list") else 0) + (0.4 if named else 0)
            + (1.0 if by_title else 0) - (0 if by_title else 1.2) * best_theme_conf, topic=field, years=named)
    if slots.report_years and not years and not has("report"):  # the meeting on the report of that title (or each)
        add("timeline", 4.2, topic="year", years=slots.report_years)
    if has("future"):  # "when is the next dialogue": the records end with the last meeting held; all of them
        add("timeline", 3.6, topic="all", years=())
    if has("first"):
        add("timeline", 4.0 - 1.0 * best_theme_conf, topic="first", years=())
    if has("how_many_meetings"):
        add("timeline", 4.4, topic="count", years=())
    which_year = bool(_WHICH_YEAR.search(slots.text))  # "in which year did RtoP become an agenda item"
    if has("agenda") and (has("date") or has("happened") or which_year or _ONTO.search(slots.text)):
        # "when did the first formal debate happen": the formal agenda's, not the first meeting's
        add("timeline", 4.0 - (1.0 if has("who") and not which_year else 0) + (0.6 if has("first") else 0) + (0.8 if which_year else 0),
            topic="agenda", years=())
    if has("gaps"):
        add("timeline", 4.2, topic="gaps", years=())
    if has("timeline") and not slots.years:
        add("timeline", 3.2 - 2.0 * unknown, topic="all", years=())
    if years and (has("happened") or len(slots.stems) <= 3 or has("date")):
        add("timeline", 2.2 + (1.4 if has("happened") else 0) + (0.6 if has("date") and not has("report") else 0)
            - 1.5 * best_theme_conf - (1.0 if actors else 0) - (1.5 if has("report") else 0)
            - (1.2 if has("opposes") or has("concerned") or has("who") else 0), topic="year")
    # "structural vs operational prevention", "how does structural prevention differ": the terms, defined side by side
    terms_compared = bool(slots.terms) and (len(slots.terms) >= 2 or has("compare")) and not (years or actors)
    if has("define") or has("pillar") or terms_compared:
        if slots.pillar:
            add("definition", 3.6 + (1.0 if has("define") else 0) - (0.8 if has("who") else 0) - (1.0 if regional_do else 0)
                + (1.2 if len(slots.pillars) >= 2 else 0),
                topic=pillar_topic(slots.pillar), detail=tuple(str(n) for n in slots.pillars[1:]), years=())
        elif slots.terms:  # "the difference between structural and operational prevention": both terms, defined
            add("definition", 4.2 + (1.6 if terms_compared else 0), topic=slots.terms[0],
                detail=slots.terms, years=())
        elif has("rtop") and _bare(slots):
            add("definition", 4.0, topic="rtop", years=())
        elif has("pillar") and not has("who"):
            add("definition", 3.0 + (1.2 if has("define") else 0), topic="pillars", years=())
    if has("regional") and has("regional_do") and (has("report") or has("pillar") or has("define")):
        add("regional_role", 3.4 + (1.0 if has("report") else 0) + (0.4 if REPORT_POINTS_YEAR in years else 0) - 2.0 * fact_conf,
            topic=pillar_topic(slots.pillar) if slots.pillar else None, years=())
    # asked of the report's author, one word of a point's subject is enough ("… the Secretary-General … sanctions")
    # "the 2011 report's recommendations on sanctions" is asked of the report as surely
    of_report = (bool(_REPORT_AUTHOR.search(slots.text)) and len(actors) == 1) or (has("report") and REPORT_POINTS_YEAR in years)
    if of_report and slots.facts and slots.facts[0][0] >= FACT_FLOOR / 4:
        fact_conf = max(fact_conf, AUTHOR_FACT_CONF)
    if fact_conf and (not actors or has("report") or of_report
                      or (slots.facts_name_actor and len(actors) == 1 and not has("say"))):
        # a point of the report the question names: "what is the African Peer Review Mechanism",
        # "what does the report say about situation rooms"
        chosen = tuple(d.fact.subject for score, d in slots.facts if score >= 0.7 * slots.facts[0][0])[:3]
        asks_report = has("report") or REPORT_POINTS_YEAR in years or has("regional") or of_report
        what_is = has("define") and not has("say") and (
            bool(_MEANING.search(slots.text)) or (not asks_report and bool(_DEFINE_SUBJECT.match(slots.text))))
        if what_is:
            add("definition", 3.6 + 2.0 * fact_conf - 1.5 * best_theme_conf, topic="fact", detail=chosen[:1], years=())
        add("regional_role", 2.4 + 2.4 * fact_conf + (1.0 if asks_report else 0) + (0.4 if has("say") or has("define") else 0)
            - 1.5 * best_theme_conf - (1.0 if has("who") else 0) - (1.0 if what_is else 0), topic="fact", detail=chosen,
            years=())
    add("search", 1.5)
    out.sort(key=lambda r: -r.score)
    return out


_STATE_WORDS = re.compile(r"\b(?:states?|countr(?:y|ies)|nations?|governments?|delegations?)\b")
_ORG_WORDS = re.compile(r"\b(?:organi[sz]ations?|ngos?|groups?|bodies|civil society)\b")
_OFFICIAL_WORDS = re.compile(r"\b(?:officials?|panel\w*|speakers?|individuals?|people)\b")


def _kinds(text: str) -> str | None:
    """What kind of actor the question's subject ("which states …", "how many NGOs …") asks for."""
    for m in _KIND_PHRASE.finditer(text):
        phrase = m.group(0)
        if _ORG_WORDS.search(phrase) and not re.search(r"\bmember states?\b", phrase):
            return "organisations"
        if _STATE_WORDS.search(phrase):
            return "states"
        if re.search(r"\bofficials?\b", phrase):
            return "officials"
    return None


def _asks_about(slots: Slots, doc: ThemeDoc) -> bool:
    """A definition question names the theme's own words closely (its name or a multi-word keyword)."""
    joined = " " + " ".join(stem(w) for w in words(slots.text)) + " "
    return any(len(p) > 1 and f" {' '.join(p)} " in joined for p in doc.phrases) or len(slots.stems) <= 3


def _bare(slots: Slots) -> bool:
    """The question asks about RtoP itself, not about something within it."""
    extra = [s for s in slots.stems if s not in {"rtop", "r2p", "mean", "stand", "concept", "idea", "basic", "plain",
                                                  "simpl", "english", "short", "explain", "defin", "describ", "norm"}]
    return len(extra) <= 1


def rank(question: str, actors: NameIndex, index: AskIndex, meetings: tuple[int, ...]) -> tuple[Slots, list[Reading]]:
    slots = read_slots(question, actors, index, meetings)
    return slots, candidates(slots, actors)
