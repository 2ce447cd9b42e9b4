"""Builds the corpus's Word documents (constructed test documents, not real agendas or minutes).

Run ``python -m tests.corpus.meetings.build_docx`` from the repository root to rebuild them; each
has its ``.expected.toml`` beside it, written by hand from the document's text below.
"""

from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import qn

from tests.corpus.meetings.docx_builder import Builder

HERE = Path(__file__).parent
INDSTILLER = "Sekretariatet indstiller, at It-Arkitekturrådet:"


def w01() -> Builder:
    """Word: heading styles numbered by a multilevel list (numbers not in the text), a TOC field."""
    b = Builder("word", "Dagsorden It-Arkitekturrådet 14. marts 2024")
    b.number_headings()
    b.para("DAGSORDEN 2024", style="Title")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para(parts=[("Dato: ", "b"), ("14. marts 2024, kl. 10.00", "")])
    b.para(parts=[("Sted: ", "b"), ("KOMBIT, Halfdansgade 8, lokale Samsø", "")])
    b.toc([(1, "1.", "Siden sidst", 2),
           (2, "1.1.", "Status på den fællesoffentlige digitaliseringsstrategi", 2),
           (1, "2.", "Drøftelsessager", 3), (2, "2.1.", "Sikker e-mail mellem kommuner og regioner", 3),
           (2, "2.2.", "Brug af Fælles Klassifikation i fagsystemer", 5), (1, "3.", "Eventuelt", 6)])
    b.page_break()
    b.heading(1, "Siden sidst")
    b.heading(2, "Status på den fællesoffentlige digitaliseringsstrategi")
    b.para("SAG-2024-00201 Jonas Kirk")
    b.heading(3, "Baggrund")
    b.para("Regeringen, KL og Danske Regioner vedtog i 2022 en fællesoffentlig digitaliseringsstrategi. "
           "Sekretariatet giver en status på de initiativer, der berører rammearkitekturen.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "tager status på digitaliseringsstrategien til efterretning")
    b.heading(3, "Sagsfremstilling")
    b.para("Fire af strategiens initiativer har direkte betydning for den fælleskommunale rammearkitektur, "
           "blandt andet initiativet om fælles datagrundlag.")
    b.heading(1, "Drøftelsessager")
    b.heading(2, "Sikker e-mail mellem kommuner og regioner")
    b.para("SAG-2024-00233 Nanna Juhl og Erik Bang")
    b.heading(3, "Baggrund")
    b.para("Kommuner og regioner udveksler dagligt følsomme personoplysninger med e-mail. Løsningerne til "
           "sikker e-mail er forskellige, og det giver fejl i leveringen.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter behovet for en fælles profil for sikker e-mail")
    b.styled_list("List Bullet", "giver input til, hvem der bør eje profilen")
    b.heading(3, "Sagsfremstilling")
    b.para("Digitaliseringsstyrelsen har udgivet en vejledning om sikker e-mail, men den dækker ikke "
           "udvekslingen mellem kommuner og regioner.")
    b.heading(3, "Bilag")
    b.para("Notat om sikker e-mail, KL, februar 2024")
    b.heading(2, "Brug af Fælles Klassifikation i fagsystemer")
    b.para("SAG-2023-01950 Erik Bang")
    b.heading(3, "Baggrund")
    b.para("Fælles Klassifikation er kommunernes støttesystem for klassifikationer som KLE. Ikke alle "
           "fagsystemer henter klassifikationerne derfra.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter, hvordan brugen af Fælles Klassifikation kan udbredes")
    b.styled_list("List Bullet", "påpeger fagområder, hvor behovet er størst")
    b.heading(3, "Sagsfremstilling")
    b.para("KOMBIT har undersøgt 24 fagsystemer. Halvdelen anvender Fælles Klassifikation, resten har "
           "egne kopier af KLE.")
    b.heading(3, "Bilag")
    b.para("Undersøgelse af fagsystemernes brug af Fælles Klassifikation af 29.02.2024")
    b.para("Præsentation af Fælles Klassifikation")
    b.heading(1, "Eventuelt")
    return b


def w02() -> Builder:
    """Word without heading styles: bold paragraphs, a manual bold table of contents, header tables."""
    b = Builder("word", "Dagsorden 16. maj 2024")
    b.para("DAGSORDEN", marks="b")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.table([["Dato", "16. maj 2024 kl. 13.00"], ["Sted", "KL, Weidekampsgade 10, mødelokale 3"]],
            bold_first=True)
    b.para("")
    b.para("Indhold", marks="b")
    for line in ("1. Siden sidst", "1.1 Status på Fælles Organisation", "2. Drøftelsessager",
                 "2.1 Arkitektur for borgerens overblik", "2.2 Fælleskommunal tilgang til logning",
                 "3. Eventuelt"):
        b.para(line, marks="b")
    b.page_break()
    b.para("1. Siden sidst", marks="b")
    b.para("1.1 Status på Fælles Organisation", marks="b")
    b.table([["Sagsnr.", "Ansvarlig"], ["SAG-2024-00301", "Trine Mark"]], header=True)
    b.para("Baggrund", marks="b")
    b.para("Fælles Organisation er kommunernes støttesystem for organisationsdata. Systemet er nu taget i "
           "brug i alle 98 kommuner.")
    b.para("Indstilling", marks="b")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "tager status på Fælles Organisation til efterretning")
    b.para("Sagsfremstilling", marks="b")
    b.para("Der er stadig kommuner, hvor organisationsdata vedligeholdes to steder. KOMBIT tilbyder hjælp "
           "til at afvikle de lokale løsninger.")
    b.para("2. Drøftelsessager", marks="b")
    b.para("2.1 Arkitektur for borgerens overblik", marks="b")
    b.table([["Sagsnr.", "Ansvarlig"], ["SAG-2024-00322", "Kasper Lyng"]], header=True)
    b.para("Baggrund", marks="b")
    b.para("Borgerne skal kunne se deres sager og ydelser samlet på tværs af kommunens fagsystemer. "
           "Det kræver, at fagsystemerne udstiller data på en fælles måde.")
    b.para("Indstilling", marks="b")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter forslaget til en fælles arkitektur for borgerens overblik")
    b.styled_list("List Bullet", "rådgiver om, hvilke fagsystemer der bør indgå først")
    b.para("Sagsfremstilling", marks="b")
    b.para("Forslaget genbruger referencearkitekturen for digitale overblik og lægger op til, at "
           "fagsystemerne leverer data via Serviceplatformen.")
    b.para("Bilag", marks="b")
    b.para("Forslag til arkitektur for borgerens overblik, april 2024")
    b.para("2.2 Fælleskommunal tilgang til logning", marks="b")
    b.table([["Sagsnr.", "Ansvarlig"], ["SAG-2024-00340", "Trine Mark og Kasper Lyng"]], header=True)
    b.para("Baggrund", marks="b")
    b.para("Logning af opslag i personoplysninger sker forskelligt fra system til system. Det gør det "
           "svært for kommunerne at dokumentere, hvem der har set hvad.")
    b.para("Indstilling", marks="b")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter behovet for en fælleskommunal logningsstandard")
    b.para("Sagsfremstilling", marks="b")
    b.para("Sekretariatet foreslår at tage udgangspunkt i den fællesoffentlige standard for logning.")
    b.para("3. Eventuelt", marks="b")
    b.para("Mødet slutter med en kort evaluering af mødeformen.")
    return b


def w03() -> Builder:
    """LibreOffice: outline numbering on the heading styles, split runs, a) lists, an ISO date."""
    b = Builder("libreoffice", "Dagsorden 22. august 2024")
    b.number_headings(("%1.", "%1.%2."))
    letters = b.abstract([("lowerLetter", "%1)")])
    b.para("DAGSORDEN", marks="b")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para("Dato: 2024-08-22 kl.\u00a009.30")
    b.para("Sted: Odense Kommune, Flakhaven\u00a02, mødelokale\u00a07")
    b.heading(1, "Siden sidst")
    b.heading(2, "Nyt om Beskedfordeleren")
    b.para("Sagsnr.: SAG-2024-00470")
    b.para("Ansvarlig: Sara Bjerre")
    b.heading(3, "Bag")
    b.doc.paragraphs[-1].add_run("grund")
    b.split_para("Beskedfordeleren formidler ", "hændelser mellem kommunernes systemer. KOMBIT har ",
                 "udvidet den med nye beskedtyper.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.numbered(letters, "tager orienteringen om Beskedfordeleren til efterretning")
    b.heading(3, "Sagsfremstilling")
    b.para("De nye beskedtyper dækker blandt andet flytninger og ændringer i forældremyndighed.")
    b.heading(1, "Drøftelsessager")
    b.heading(2, "Fælles datamodel for kommunale ydelser")
    b.para("Sagsnr.: SAG-2024-00488")
    b.para("Ansvarlig: Sara Bjerre og Oliver Thorsen")
    b.heading(3, "Baggrund")
    b.para("Ydelser beskrives i dag forskelligt i KY, KSD og KP. En fælles datamodel kan gøre det "
           "lettere at udveksle oplysninger om ydelser mellem systemerne.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    second = b.restart(letters)
    b.numbered(second, "drøfter udkastet til en fælles datamodel for ydelser")
    b.numbered(second, "giver anbefalinger til den videre proces")
    b.heading(3, "Sagsfremstilling")
    b.para("Modellen bygger på den eksisterende byggeblok for ydelser og udvider den med oplysninger "
           "om bevilling og udbetaling.")
    b.heading(3, "Bilag")
    b.para("Udkast til datamodel for ydelser, version 0.9, 01.08.2024")
    b.heading(2, "Arkitekturkrav i kommende udbud")
    b.para("Sagsnr.: SAG-2024-00495")
    b.para("Ansvarlig: Oliver Thorsen")
    b.heading(3, "Baggrund")
    b.para("KOMBIT forbereder udbud af to nye fagsystemer. Rådet har tidligere ønsket at se "
           "arkitekturkravene, før udbuddene offentliggøres.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    third = b.restart(letters)
    b.numbered(third, "drøfter arkitekturkravene i de kommende udbud")
    b.heading(3, "Sagsfremstilling")
    b.para("Kravene omfatter brug af Fælles Organisation, Fælles Klassifikation, Beskedfordeleren og "
           "Serviceplatformen.")
    b.heading(1, "Eventuelt")
    return b


def w04() -> Builder:
    """Danish style names, items numbered by Word at the top level, labelled case and officer lines."""
    b = Builder("word-da", "Dagsorden 24. oktober 2024")
    b.number_headings(("%1.",))
    b.para("Dagsorden", style="Titel")
    b.para("It-Arkitekturrådet", marks="b")
    b.para(parts=[("Mødedato: ", "b"), ("24.10.2024, kl. 14.00", "")])
    b.para(parts=[("Mødested: ", "b"), ("KL, Weidekampsgade 10, mødelokale 1", "")])
    b.heading(1, "Godkendelse af dagsorden")
    b.para("Dagsordenen godkendes.")
    b.heading(1, "Arbejdsprogram for 2025")
    b.para("Sagsnr.: SAG-2024-00601")
    b.para("Ansvarlig: Ulla Dam")
    b.heading(2, "Baggrund")
    b.para("Rådet vedtager hvert år et arbejdsprogram for det kommende år. Programmet fastlægger, "
           "hvilke arkitekturprodukter der skal udarbejdes.")
    b.heading(2, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Number", "drøfter udkastet til arbejdsprogram for 2025")
    b.styled_list("List Number", "godkender arbejdsprogrammet med de ændringer, der følger af drøftelsen")
    b.heading(2, "Sagsfremstilling")
    b.para("Udkastet har fire temaer: data, infrastruktur, sikkerhed og kunstig intelligens.")
    b.heading(2, "Bilag")
    b.para("Udkast til arbejdsprogram 2025, september 2024")
    b.heading(1, "Status på rammearkitekturens hjemmeside")
    b.para("Sagsnr.: SAG-2024-00615")
    b.para("Ansvarlig: Ulla Dam")
    b.heading(2, "Baggrund")
    b.para("Rammearkitektur.dk er blevet flyttet til en ny platform.")
    b.heading(2, "Indstilling")
    b.para("Sekretariatet indstiller, at It-Arkitekturrådet tager orienteringen til efterretning.")
    b.heading(2, "Sagsfremstilling")
    b.para("Alle arkitekturprodukter er flyttet, og de gamle adresser viderestilles.")
    b.heading(1, "Eventuelt")
    return b


def w05() -> Builder:
    """Word minutes of w01's meeting: numbered heading styles and a "Beslutning" part under each item."""
    b = Builder("word", "Referat It-Arkitekturrådet 14. marts 2024")
    b.number_headings()
    b.para("REFERAT", style="Title")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para(parts=[("Dato: ", "b"), ("14. marts 2024, kl. 10.00", "")])
    b.para(parts=[("Sted: ", "b"), ("KOMBIT, Halfdansgade 8, lokale Samsø", "")])
    b.para(parts=[("Deltagere: ", "b"),
                  ("Lars Winther (formand), Helle Krogh, Niels Brandt, Sofie Lindberg", "")])
    b.heading(1, "Siden sidst")
    b.heading(2, "Status på den fællesoffentlige digitaliseringsstrategi")
    b.para("SAG-2024-00201 Jonas Kirk")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "tager status på digitaliseringsstrategien til efterretning")
    b.heading(3, "Beslutning")
    b.para("Rådet tog status til efterretning.")
    b.heading(1, "Drøftelsessager")
    b.heading(2, "Sikker e-mail mellem kommuner og regioner")
    b.para("SAG-2024-00233 Nanna Juhl og Erik Bang")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter behovet for en fælles profil for sikker e-mail")
    b.styled_list("List Bullet", "giver input til, hvem der bør eje profilen")
    b.heading(3, "Beslutning")
    b.para("Rådet drøftede behovet og anbefalede, at Digitaliseringsstyrelsen ejer profilen.")
    b.para("Rådet bad sekretariatet om at tage kontakt til Danske Regioner.")
    b.heading(2, "Brug af Fælles Klassifikation i fagsystemer")
    b.para("SAG-2023-01950 Erik Bang")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "drøfter, hvordan brugen af Fælles Klassifikation kan udbredes")
    b.styled_list("List Bullet", "påpeger fagområder, hvor behovet er størst")
    b.heading(3, "Beslutning")
    b.para("Punktet blev udsat, da der ikke var tid til at behandle det.")
    b.heading(1, "Eventuelt")
    b.para("Intet.")
    return b


def w06() -> Builder:
    """LibreOffice minutes of w03's meeting: case tables, split runs, a rejection with remarks."""
    b = Builder("libreoffice", "Referat 22. august 2024")
    b.number_headings(("%1.", "%1.%2."))
    bullets = b.abstract([("bullet", "•")])
    b.para("REFERAT", marks="b")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para("Dato: 2024-08-22 kl.\u00a009.30")
    b.para("Sted: Odense Kommune, Flakhaven\u00a02, mødelokale\u00a07")
    b.heading(1, "Siden sidst")
    b.heading(2, "Nyt om Beskedfordeleren")
    b.table([["SAG-2024-00470", "Sara Bjerre"]])
    b.heading(3, "Beslutning")
    b.split_para("It-Arkitekturrådet tog ", "orienteringen til efterretning.")
    b.heading(1, "Drøftelsessager")
    b.heading(2, "Fælles datamodel for kommunale ydelser")
    b.table([["SAG-2024-00488", "Sara Bjerre og Oliver Thorsen"]])
    b.heading(3, "Beslutning")
    b.para("Rådet drøftede udkastet og gav anbefalinger til den videre proces:")
    b.numbered(bullets, "Modellen skal afprøves i mindst to fagsystemer, før den optages.")
    b.numbered(bullets, "Begreberne skal afstemmes med den fællesoffentlige begrebsliste for ydelser.")
    b.heading(2, "Arkitekturkrav i kommende udbud")
    b.table([["SAG-2024-00495", "Oliver Thorsen"]])
    b.heading(3, "Beslutning")
    b.para("Rådet godkendte ikke arkitekturkravene i den foreliggende form.")
    b.para("Rådet ønsker, at kravene også omfatter brug af MitID Erhverv.")
    b.heading(1, "Eventuelt")
    return b


def w07() -> Builder:
    """Word agenda with a board report: bold-italic meeting headings, outcomes phrased several ways."""
    b = Builder("word", "Dagsorden 23. januar 2025")
    b.para("DAGSORDEN 2025", style="Title")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para("Dato: 23-01-2025 10:00")
    b.para("Sted: KOMBIT, Halfdansgade 8, lokale Fanø")
    b.heading(1, "1. Drøftelsessager")
    b.heading(2, "1.1. Afrapportering fra Arkitekturboards møde 10.12.24")
    b.para("SAG-2022-04763 Vibeke Normann")
    b.heading(3, "Baggrund")
    b.para("Arkitekturboard afrapporterer fra sine møder på førstkommende It-Arkitekturrådsmøde.")
    b.para("Mødet i Arkitekturboard den 10. december var boardets 23. møde.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.styled_list("List Bullet", "tager afrapporteringen til efterretning")
    b.heading(3, "Sagsfremstilling")
    b.para("Arkitekturboards møde 10. december 2024", marks="bi")
    b.para("Følgende arkitekturprodukter var indstillet til godkendelse til optagelse i den "
           "fælleskommunale rammearkitektur:")
    b.styled_list("List Number", "Begrebsliste for affaldsområdet")
    b.styled_list("List Number", "Kernemodel for tilsyn")
    b.styled_list("List Number", "Arkitekturbeskrivelse for fælleskommunal integrationsplatform")
    b.para("Arkitekturboards udtalelse fra mødet 10. december 2024", marks="bi")
    b.para("Begrebsliste for affaldsområdet", marks="b")
    b.para("Boardet fandt begrebslisten grundig og velafgrænset.")
    b.para("Begrebslisten blev godkendt med bemærkninger:")
    b.para("Listen bør suppleres med begreber for genanvendelse.")
    b.para("Kernemodel for tilsyn", marks="b")
    b.para("Kernemodellen blev ikke godkendt.")
    b.para("Boardet pegede på, at modellen blander tilsyn med virksomheder og tilsyn med borgere.")
    b.para("Boardet anbefalede, at modellen deles i to.")
    b.para("Arkitekturbeskrivelse for fælleskommunal integrationsplatform", marks="b")
    b.para("Forslagsstilleren trak arkitekturbeskrivelsen tilbage før mødet.")
    b.heading(3, "Bilag")
    b.para("Referat fra Arkitekturboards møde 10. december 2024")
    b.heading(1, "2. Eventuelt")
    return b


def w08() -> Builder:
    """Bold-paragraph minutes of a07's meeting with a manual table of contents with dot leaders."""
    b = Builder("word", "Referat 3. april 2025")
    b.para("REFERAT", marks="b")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para(parts=[("Dato: ", "b"), ("03.04.2025 kl. 09:00-12:00", "")])
    b.para(parts=[("Sted: ", "b"), ("Aarhus Kommune, Rådhuspladsen 2, mødelokale 1", "")])
    for line in ("1. Siden sidst ........................................ 2",
                 "1.1 Status på OS2-samarbejdet ........................ 2",
                 "2. Beslutningssager ................................... 3",
                 "2.1 Anbefalinger om brug af MitID Erhverv i fagsystemer ... 3",
                 "2.2 Ændring af rådets forretningsorden ................ 4",
                 "3. Eventuelt ............................................ 4"):
        b.para(line, marks="b")
    b.para("1. Siden sidst", marks="b")
    b.para("1.1 Status på OS2-samarbejdet", marks="b")
    b.para("SAG-2025-00102 / Camilla Storm")
    b.para(parts=[("Beslutning: ", "b"), ("Rådet tog status på samarbejdet til efterretning.", "")])
    b.para("2. Beslutningssager", marks="b")
    b.para("2.1 Anbefalinger om brug af MitID Erhverv i fagsystemer", marks="b")
    b.para("SAG-2024-00780 / Rasmus Juul")
    b.para(parts=[("Beslutning: ", "b"), ("Rådet godkendte anbefalingerne.", "")])
    b.para("2.2 Ændring af rådets forretningsorden", marks="b")
    b.para("SAG-2025-00115 / Anna Berg")
    b.para(parts=[("Beslutning: ", "b"),
                  ("Rådet godkendte den ændrede forretningsorden med følgende bemærkninger:", "")])
    b.styled_list("List Bullet", "Arkitekturboards sammensætning skal evalueres efter to år.")
    b.styled_list("List Bullet", "Forretningsordenen offentliggøres på rammearkitektur.dk.")
    b.para("3. Eventuelt", marks="b")
    b.para("Formanden takkede Aarhus Kommune for værtskabet.")
    return b


def w09() -> Builder:
    """Pandoc's Word output: its paragraph styles, numbers in the heading text, Compact lists, tables."""
    b = Builder("pandoc", "Dagsorden 12. juni 2025")
    bullets = b.abstract([("bullet", "•")])
    b.para("Dagsorden It-Arkitekturrådet", style="Title")
    b.table([["Dato", "Sted"], ["12-06-2025 kl. 13.00", "KL, Weidekampsgade 10, mødelokale 2"]], header=True)
    b.heading(1, "1. Siden sidst")
    b.heading(2, "1.1 Evaluering af rammearkitekturens governance")
    b.para("SAG-2025-00201 Frederik Aagaard", style="First Paragraph")
    b.heading(3, "Baggrund")
    b.para("Governance-modellen for rammearkitekturen blev evalueret i foråret 2025 af et eksternt "
           "konsulentfirma.", style="First Paragraph")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER, style="First Paragraph")
    b.numbered(bullets, "tager evalueringen til efterretning", style="Compact")
    b.heading(3, "Sagsfremstilling")
    b.para("Evalueringen viser, at modellen fungerer, men at kommunerne kender for lidt til "
           "Arkitekturboards arbejde.", style="First Paragraph")
    b.heading(3, "Bilag")
    b.numbered(bullets, "Evaluering af governance for rammearkitekturen, maj 2025", style="Compact")
    b.heading(1, "2. Drøftelsessager")
    b.heading(2, "2.1 Fælles tilgang til digital identitet for medarbejdere")
    b.para("SAG-2025-00214 Frederik Aagaard og Line Holst", style="First Paragraph")
    b.heading(3, "Baggrund")
    b.para("Medarbejdere logger ind i mange systemer med forskellige identiteter. En fælles tilgang kan "
           "øge sikkerheden og mindske administrationen.", style="First Paragraph")
    b.heading(3, "Indstilling")
    b.para("Sekretariatet indstiller, at It-Arkitekturrådet drøfter principper for medarbejderes "
           "digitale identitet.", style="First Paragraph")
    b.heading(3, "Sagsfremstilling")
    b.para("Principperne bygger på den fællesoffentlige brugerstyring og på erfaringer fra "
           "Fælles Organisation.", style="First Paragraph")
    b.para("De skal også dække eksterne konsulenter og vikarer.", style="Body Text")
    b.heading(1, "3. Eventuelt")
    return b


def b04() -> Builder:
    """Second batch.  Word: the date only in the page header, heading numbers "%1.%2" without a
    final dot, the TOC inside a content control, bullets as numbered "List Paragraph"s, a case
    table with a third column."""
    b = Builder("word", "Dagsorden 4. december 2025")
    b.number_headings(("%1", "%1.%2"))
    bullets = b.abstract([("bullet", "\uf0b7")])
    header = b.doc.sections[0].header
    header.paragraphs[0].text = "It-Arkitekturrådet · Dagsorden · 4. december 2025"
    b.para("DAGSORDEN", style="Title")
    b.para("It-Arkitekturrådet", marks="b")
    b.para(parts=[("Tidspunkt: ", "b"), ("kl. 13.00-15.30", "")])
    b.para(parts=[("Sted: ", "b"), ("KL, Weidekampsgade 10, mødelokale 2", "")])
    b.toc([(1, "1", "Beslutningssager", 2), (2, "1.1", "Fælles standard for mødebooking", 2),
           (2, "1.2", "Anvendelse af CPR-UUID i fagsystemer", 3), (1, "2", "Eventuelt", 4)])
    body = b.doc.element.body
    sdt = b.doc.element.makeelement(qn("w:sdt"), {})
    content = b.doc.element.makeelement(qn("w:sdtContent"), {})
    sdt.append(content)
    for paragraph in [p._p for p in b.doc.paragraphs if p.style.name.lower().startswith("toc")]:
        content.append(paragraph)
    body.insert(4, sdt)
    b.heading(1, "Beslutningssager")
    b.heading(2, "Fælles standard for mødebooking")
    b.table([["Sagsnr.", "Ansvarlig", "Enhed"], ["SAG-2025-00700", "Peter Ravn", "KL"]], header=True)
    b.heading(3, "Baggrund")
    b.para("Borgerne booker møder med kommunen i mange forskellige systemer. En fælles standard kan gøre "
           "det muligt at vise alle bookinger samlet.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.numbered(bullets, "godkender forslaget til en fælles standard for mødebooking", style="List Paragraph")
    b.numbered(bullets, "tager til efterretning, at standarden afprøves i tre kommuner i 2026",
               style="List Paragraph")
    b.heading(3, "Sagsfremstilling")
    b.para("Standarden bygger på den internationale standard iCalendar og på Fælles Organisation.")
    b.heading(2, "Anvendelse af CPR-UUID i fagsystemer")
    b.table([["Sagsnr.", "Ansvarlig", "Enhed"], ["SAG-2023-04749", "Jakob Hviid", "KOMBIT"]], header=True)
    b.heading(3, "Baggrund")
    b.para("Rådet drøftede i 2023 kommunernes udfordringer ved skift af personnummer. Sekretariatet "
           "foreslår nu, at nye fagsystemer anvender CPR-UUID som nøgle.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.numbered(bullets, "godkender anbefalingen om at anvende CPR-UUID som nøgle i nye fagsystemer",
               style="List Paragraph")
    b.heading(3, "Sagsfremstilling")
    b.para("Anbefalingen er afstemt med CPR-kontoret og med Digitaliseringsstyrelsen.")
    b.heading(3, "Bilag")
    b.para("Notat om CPR-UUID i fagsystemer, 17.11.2025")
    b.heading(1, "Eventuelt")
    return b


def b05() -> Builder:
    """Second batch.  Word minutes of b04's meeting: "Beslutning:" as a bold lead, decisions phrased
    "godkendt med enkelte redaktionelle ændringer" and "ikke behandlet … overgår til næste møde"."""
    b = Builder("word", "Referat 4. december 2025")
    b.number_headings(("%1", "%1.%2"))
    b.para("REFERAT", style="Title")
    b.para("It-Arkitekturrådet", marks="b")
    b.para(parts=[("Dato: ", "b"), ("4. december 2025, kl. 13.00-15.30", "")])
    b.para(parts=[("Sted: ", "b"), ("KL, Weidekampsgade 10, mødelokale 2", "")])
    b.heading(1, "Beslutningssager")
    b.heading(2, "Fælles standard for mødebooking")
    b.para("SAG-2025-00700 Peter Ravn")
    b.para(parts=[("Beslutning: ", "b"),
                  ("Indstillingen blev godkendt med enkelte redaktionelle ændringer.", "")])
    b.heading(2, "Anvendelse af CPR-UUID i fagsystemer")
    b.para("SAG-2023-04749 Jakob Hviid")
    b.para(parts=[("Beslutning: ", "b"),
                  ("Sagen blev ikke behandlet på grund af tidsmangel og overgår til næste møde.", "")])
    b.heading(1, "Eventuelt")
    b.para("Formanden ønskede god jul.")
    return b


def b06() -> Builder:
    """Second batch.  LibreOffice: heading numbers typed with a tab, "Tid og sted:" in one field,
    officers with their organisations in parentheses, a recommendation kind outside the scheme."""
    b = Builder("libreoffice", "Dagsorden 22. januar 2026")
    bullets = b.abstract([("bullet", "•")])
    b.para("DAGSORDEN", marks="b")
    b.para("IT-ARKITEKTURRÅDET", marks="b")
    b.para("Tid og sted: Torsdag den 22. januar 2026 kl. 9.30-12.00, Vejle Rådhus, Skolegade 1")
    b.heading(1, "1.\tDrøftelsessager")
    b.heading(2, "1.1\tFælleskommunal tilgang til sikkerhedsopdateringer")
    b.para("SAG-2026-00012")
    b.para("Ansvarlig: Karin Østergaard (KL) og Mads Bech (KOMBIT)")
    b.heading(3, "Baggrund")
    b.para("Sikkerhedsopdateringer af fagsystemer håndteres forskelligt fra leverandør til leverandør.")
    b.heading(3, "Indstilling")
    b.para(INDSTILLER)
    b.numbered(bullets, "drøfter behovet for fælles krav til sikkerhedsopdateringer")
    b.numbered(bullets, "beslutter at igangsætte en analyse af leverandørernes praksis")
    b.heading(3, "Sagsfremstilling")
    b.para("Analysen skal omfatte både standardsystemer og systemer udviklet til den enkelte kommune.")
    b.heading(1, "2.\tEventuelt")
    return b


DOCUMENTS = {
    "w01-dagsorden-2024-03-14-word.docx": w01,
    "w02-dagsorden-2024-05-16-fed.docx": w02,
    "w03-dagsorden-2024-08-22-libreoffice.docx": w03,
    "w04-dagsorden-2024-10-24-dansk.docx": w04,
    "w05-referat-2024-03-14-word.docx": w05,
    "w06-referat-2024-08-22-libreoffice.docx": w06,
    "w07-dagsorden-2025-01-23-board.docx": w07,
    "w08-referat-2025-04-03-fed.docx": w08,
    "w09-dagsorden-2025-06-12-pandoc.docx": w09,
    "b04-dagsorden-2025-12-04-word.docx": b04,
    "b05-referat-2025-12-04-word.docx": b05,
    "b06-dagsorden-2026-01-22-libreoffice.docx": b06,
}


def main() -> None:
    for name, build in DOCUMENTS.items():
        build().save(HERE / name)
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
