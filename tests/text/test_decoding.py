"""Story bytes → text: every language in every encoding people save it in, BOMs, refusals.

The matrix holds a paragraph and a short sentence in 23 languages, each in UTF-8 (with and
without a mark), UTF-16 LE/BE (with and without a mark) and the legacy code pages used for that
language; `decode_story` must give each text back. Where a code page lacks a character the text
has (curly quotes in Latin-1, Persian yeh in Windows-1256), the file holds what people type
instead; Vietnamese in Windows-1258 is written with combining tone marks, as that code page
needs.
"""

from __future__ import annotations

import codecs
import itertools
import random
import unicodedata
import zlib

import pytest

from nextword.errors import BinaryStoryError, EmptyStoryError, StoryError, StoryTooLargeError
from nextword.text.corpus import tokenize
from nextword.text.decoding import decode_story
from nextword.text.plausibility import plausibility

RUSSIAN = "Жили-были дед да баба. Была у них курочка Ряба."
GREEK = "Μια φορά κι έναν καιρό ζούσε ένας βασιλιάς. Άκουσε τη φωνή του αετού."
FRENCH = "Maître Corbeau, sur un arbre perché, tenait en son bec un fromage. À ces mots..."
GERMAN = "Es war einmal ein kleines Mädchen, dem war Vater und Mutter gestorben."
JAPANESE = "むかしむかし、あるところに、おじいさんとおばあさんが住んでいました。"
CHINESE = "从前有座山，山里有座庙，庙里有个老和尚在给小和尚讲故事。"
# The report: Shift-JIS, EUC-JP and CP932 bytes of this were read as GB18030.
NATSUME = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で"
    "ニャーニャー泣いていた事だけは記憶している。"
)


# --- single cases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Жили-были дед да баба", "cp1251"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        (GREEK, "iso8859_7"),
        (FRENCH, "cp1252"),
        (FRENCH, "latin_1"),
        (GERMAN, "cp1252"),
        (JAPANESE, "shift_jis"),
        (CHINESE, "gb18030"),
        (RUSSIAN, "utf-16-le"),
        (RUSSIAN, "utf-16-be"),
        (FRENCH, "utf-16-le"),
        (CHINESE, "utf-16-le"),
        (GREEK, "utf-8"),
    ],
)
def test_decode_story_reads_common_encodings(text: str, encoding: str) -> None:
    decoded, used = decode_story(text.encode(encoding))
    assert decoded == text
    assert codecs.lookup(used)  # A name Python knows.


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_decode_story_honours_byte_order_marks(encoding: str) -> None:
    data = GERMAN.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = codecs.BOM_UTF16_LE + data if encoding.endswith("le") else codecs.BOM_UTF16_BE + data
    decoded, used = decode_story(data)
    assert decoded == GERMAN
    assert data.decode(used).lstrip("\ufeff") == GERMAN  # The name decodes the bytes as they are.


def test_decode_story_normalizes_line_ends_and_to_nfc() -> None:
    decomposed = "e\u0301te\u0301\r\nsecond\rthird"
    text, _ = decode_story(decomposed.encode("utf-8"))
    assert text == "été\nsecond\nthird"


def test_decode_story_keeps_utf8_with_a_cut_last_character() -> None:
    data = ("Ça va très bien, merci. Déjà vu. " * 3).encode("utf-8") + "é".encode()[:1]
    text, used = decode_story(data)
    assert used == "utf-8"
    assert text.startswith("Ça va très bien")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"GIF89a\x01\x00\x01\x00",
        zlib.compress(b"x" * 100),
        b"hello\x00world\x00\x01\x02\x03\x00" * 10,
        bytes(range(1, 32)) * 10 + b"abc",
        bytes(byte | 0x80 for byte in random.Random(0).randbytes(3000)),  # Gibberish in any code page.
    ],
)
def test_decode_story_refuses_binary_data(data: bytes) -> None:
    with pytest.raises(BinaryStoryError, match="does not look like text"):
        decode_story(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n ", "\ufeff  ".encode("utf-8"), "  \n".encode("utf-16")])
def test_decode_story_refuses_empty_text(data: bytes) -> None:
    with pytest.raises(EmptyStoryError, match="empty"):
        decode_story(data)


def test_decode_story_refuses_too_large_with_sizes_in_megabytes() -> None:
    with pytest.raises(StoryTooLargeError) as caught:
        decode_story(b"word " * 400_000, max_bytes=1_000_000)
    assert "2 MB" in str(caught.value) and "1 MB" in str(caught.value)


def test_errors_are_story_errors_and_value_errors() -> None:
    with pytest.raises(StoryError):
        decode_story(b"")
    with pytest.raises(ValueError):
        decode_story(b"")


def test_a_megabyte_of_cp1251_decodes_and_tokenizes() -> None:
    # Its speed is the bench's to measure; here: a large legacy-encoded file is read right.
    data = (RUSSIAN + "\n").encode("cp1251") * (1_000_000 // 48)
    text, used = decode_story(data)
    symbols = tokenize(text)
    assert used == "cp1251" and len(symbols) > 200_000


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp", "cp932", "iso2022_jp", "utf-16-le"])
def test_japanese_is_not_read_as_chinese(encoding: str) -> None:
    assert decode_story(NATSUME.encode(encoding))[0] == NATSUME


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("size", [300, 3000, 20_000])
def test_random_high_bytes_are_gibberish_in_every_code_page(seed: int, size: int) -> None:
    data = bytes(byte | 0x80 for byte in random.Random(seed).randbytes(size))
    with pytest.raises(BinaryStoryError, match="gibberish"):
        decode_story(data)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_spaces_nor_a_mark_is_read(encoding: str) -> None:
    text = "แสดงข้อมูลเกี่ยวกับตำแหน่งที่กำหนด"  # Thai without spaces: no NUL byte in UTF-16.
    assert decode_story(text.encode(encoding))[0] == text


def test_a_few_odd_letters_in_an_ascii_text_are_not_gibberish() -> None:
    text = "Zehaztu orrialdeen barruti bat edo gehiago, eta parametro-balioa falta dira. " * 4 + "arbëreshë"
    assert decode_story(text.encode("latin_1"))[0] == text


def test_plausibility_prefers_real_text_to_its_misreadings() -> None:
    for text, right, wrong in [
        (NATSUME, "shift_jis", "gb18030"),
        (NATSUME, "euc_jp", "gb18030"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "iso8859_2", "cp1250"),
        ("Съешь же ещё этих мягких французских булок.", "koi8_r", "cp1256"),
        ("“My dear Mr. Bennet,” said his lady to him one day.", "cp1252", "cp850"),
        ("Treba li omogućiti pomicanje s dva prsta", "cp1250", "cp1252"),
    ]:
        data = text.encode(right)
        assert plausibility(data.decode(right)) > plausibility(data.decode(wrong)), (text, wrong)


# --- the texts -------------------------------------------------------------------------------

# (paragraph, short sentence) for each language.
SAMPLES = {
    "English": (
        "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
        "must be in want of a wife. However little known the feelings or views of such a man may be "
        "on his first entering a neighbourhood, this truth is so well fixed in the minds of the "
        "surrounding families, that he is considered the rightful property of some one or other of "
        "their daughters. “My dear Mr. Bennet,” said his lady to him one day, “have you heard that "
        "Netherfield Park is let at last?”",
        "The café’s naïve owner served crème brûlée.",
    ),
    "French": (
        "Lorsque j’avais six ans j’ai vu, une fois, une magnifique image, dans un livre sur la Forêt "
        "Vierge qui s’appelait « Histoires vécues ». Ça représentait un serpent boa qui avalait un "
        "fauve. J’ai alors beaucoup réfléchi sur les aventures de la jungle et, à mon tour, j’ai réussi, "
        "avec un crayon de couleur, à tracer mon premier dessin. Les grandes personnes m’ont conseillé "
        "de laisser de côté les dessins de serpents boas ouverts ou fermés, et de m’intéresser plutôt à "
        "la géographie, à l’histoire, au calcul et à la grammaire. Le cœur a ses raisons.",
        "Où est la clé ? Elle est déjà à côté.",
    ),
    "German": (
        "Als Gregor Samsa eines Morgens aus unruhigen Träumen erwachte, fand er sich in seinem Bett zu "
        "einem ungeheueren Ungeziefer verwandelt. Er lag auf seinem panzerartig harten Rücken und sah, "
        "wenn er den Kopf ein wenig hob, seinen gewölbten, braunen, von bogenförmigen Versteifungen "
        "geteilten Bauch, auf dessen Höhe sich die Bettdecke, zum gänzlichen Niedergleiten bereit, kaum "
        "noch erhalten konnte. Seine vielen, im Vergleich zu seinem sonstigen Umfang kläglich dünnen "
        "Beine flimmerten ihm hilflos vor den Augen. „Was ist mit mir geschehen?“, dachte er.",
        "Die Straße ist nass, und es regnet heute.",
    ),
    "Spanish": (
        "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía un "
        "hidalgo de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor. Una olla "
        "de algo más vaca que carnero, salpicón las más noches, duelos y quebrantos los sábados, "
        "lantejas los viernes, algún palomino de añadidura los domingos, consumían las tres partes de su "
        "hacienda. ¿Quién sabe qué pensaba? ¡Nadie lo sabía! El resto della concluían sayo de velarte, "
        "calzas de velludo para las fiestas.",
        "¿Dónde está la estación? Está aquí, señor.",
    ),
    "Portuguese": (
        "Uma noite destas, vindo da cidade para o Engenho Novo, encontrei no trem da Central um rapaz "
        "aqui do bairro, que eu conheço de vista e de chapéu. Cumprimentou-me, sentou-se ao pé de mim, "
        "falou da lua e dos ministros, e acabou recitando-me versos. A viagem era curta, e os versos "
        "pode ser que não fossem inteiramente maus. Sucedeu, porém, que, como eu estava cansado, fechei "
        "os olhos três ou quatro vezes; tanto bastou para que ele interrompesse a leitura e metesse os "
        "versos no bolso. Não há coração que não sinta saudade.",
        "A educação não é só aprender lições.",
    ),
    "Italian": (
        "Nel mezzo del cammin di nostra vita mi ritrovai per una selva oscura, ché la diritta via era "
        "smarrita. Ahi quanto a dir qual era è cosa dura esta selva selvaggia e aspra e forte che nel "
        "pensier rinova la paura! Tant’è amara che poco è più morte; ma per trattar del ben ch’i’ vi "
        "trovai, dirò de l’altre cose ch’i’ v’ho scorte. C’era una volta un pezzo di legno. Non era un "
        "legno di lusso, ma un semplice pezzo da catasta, di quelli che d’inverno si mettono nelle "
        "stufe e nei caminetti per accendere il fuoco. Perché? Così è la città.",
        "Perché è così difficile? Però è già là.",
    ),
    "Polish": (
        "Litwo! Ojczyzno moja! ty jesteś jak zdrowie. Ile cię trzeba cenić, ten tylko się dowie, kto "
        "cię stracił. Dziś piękność twą w całej ozdobie widzę i opisuję, bo tęsknię po tobie. Panno "
        "Święta, co Jasnej bronisz Częstochowy i w Ostrej świecisz Bramie! Ty, co gród zamkowy "
        "nowogródzki ochraniasz z jego wiernym ludem! Jak mnie dziecko do zdrowia powróciłaś cudem, gdy "
        "od płaczącej matki pod Twoją opiekę ofiarowany, martwą podniosłem powiekę. Źródło, żółć, "
        "gęślą jaźń, Łódź i Śląsk.",
        "Zażółć gęślą jaźń, proszę pani Źdźbło.",
    ),
    "Czech": (
        "Byla jednou jedna babička, která bydlela v malé chaloupce na kraji lesa. Každé ráno vstávala "
        "velmi časně, zatopila v kamnech, uvařila kávu a šla nakrmit slepice. Její vnoučata ji často "
        "navštěvovala, protože jim vyprávěla krásné pohádky o vodnících, o čertech a o statečných "
        "princeznách. Když přišla zima, sedávali všichni u teplých kamen a poslouchali, jak vítr "
        "skučí za okny. Příliš žluťoučký kůň úpěl ďábelské ódy. Řeka byla široká a hluboká.",
        "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    ),
    "Turkish": (
        "Bir varmış, bir yokmuş. Evvel zaman içinde, kalbur saman içinde, develer tellal iken, pireler "
        "berber iken, ben annemin beşiğini tıngır mıngır sallar iken, uzak bir ülkede yaşlı bir kadın "
        "yaşarmış. Bu kadının hiç çocuğu yokmuş ve her gün Allah’a dua edermiş. Bir gün kapısını bir "
        "dilenci çalmış; kadın ona sıcak bir çorba, biraz ekmek ve peynir vermiş. Dilenci teşekkür "
        "etmiş ve gitmeden önce ona bir şey söylemiş. İstanbul’da güzel bir sabah, Ömer ışığı açtı.",
        "Öğretmen çocuklara ışığı göstermiş.",
    ),
    "Russian": (
        "Все счастливые семьи похожи друг на друга, каждая несчастливая семья несчастлива по-своему. "
        "Всё смешалось в доме Облонских. Жена узнала, что муж был в связи с бывшею в их доме "
        "француженкою-гувернанткой, и объявила мужу, что не может жить с ним в одном доме. Положение "
        "это продолжалось уже третий день и мучительно чувствовалось и самими супругами, и всеми "
        "членами семьи, и домочадцами. Съешь же ещё этих мягких французских булок да выпей чаю.",
        "Съешь же ещё этих мягких французских булок.",
    ),
    "Ukrainian": (
        "Реве та стогне Дніпр широкий, сердитий вітер завива, додолу верби гне високі, горами хвилю "
        "підійма. І блідий місяць на ту пору із хмари де-де виглядав, неначе човен в синім морі, то "
        "виринав, то потопав. Ще треті півні не співали, ніхто ніде не гомонів, сичі в гаю перекликались, "
        "та ясен раз у раз скрипів. Жебракують знову їжаки, ґудзик і ґанок, є що їсти.",
        "Чуєш, їжаче, ґудзик знайшовся на ґанку?",
    ),
    "Bulgarian": (
        "Имало едно време един стар цар, който имал трима сина. Най-малкият от тях бил най-умен и най-"
        "добър, но братята му често му се подигравали. Един ден царят ги повикал и им казал: „Който от "
        "вас ми донесе най-хубавото нещо на света, той ще наследи царството ми.“ Тримата братя тръгнали "
        "по широкия свят, всеки по своя път. Ъгълът на щъркела бе пълен с ябълки и жълъди.",
        "Щъркелът донесе ябълка на малкото дете.",
    ),
    "Greek": (
        "Μια φορά κι έναν καιρό ζούσε σε ένα μικρό χωριό ένας φτωχός ψαράς με τη γυναίκα του. Κάθε "
        "πρωί έβγαινε με τη βάρκα του στη θάλασσα και γύριζε το βράδυ με λίγα ψάρια. Μια μέρα έπιασε "
        "στα δίχτυα του ένα χρυσό ψάρι, που του μίλησε με ανθρώπινη φωνή: «Άφησέ με να φύγω, και θα σου "
        "δώσω ό,τι μου ζητήσεις». Ο ψαράς λυπήθηκε το ψάρι και το άφησε ελεύθερο. Άκουσε τη φωνή του αετού.",
        "Άκουσε τη φωνή του αετού στο βουνό.",
    ),
    "Hebrew": (
        "בראשית ברא אלהים את השמים ואת הארץ. והארץ היתה תהו ובהו וחשך על פני תהום ורוח אלהים מרחפת "
        "על פני המים. ויאמר אלהים יהי אור ויהי אור. וירא אלהים את האור כי טוב ויבדל אלהים בין האור ובין "
        "החשך. ויקרא אלהים לאור יום ולחשך קרא לילה ויהי ערב ויהי בקר יום אחד. היה היה פעם ילד קטן שגר "
        "בכפר ליד הים.",
        "היה היה פעם ילד קטן שגר בכפר ליד הים.",
    ),
    "Arabic": (
        "كان يا ما كان في قديم الزمان وسالف العصر والأوان، ملك من ملوك ساسان في جزائر الهند والصين، "
        "صاحب جند وأعوان وخدم وحشم، وكان له ولدان أحدهما كبير والآخر صغير، وكانا بطلين فارسين، وكان "
        "الكبير أفرس من الصغير، وقد ملك البلاد وحكم بالعدل بين العباد، وأحبه أهل بلاده ومملكته. وفي "
        "يوم من الأيام خرج الملك إلى الصيد فرأى غزالا جميلا.",
        "ذهب الولد الصغير إلى المدرسة في الصباح.",
    ),
    "Persian": (
        "روزی روزگاری در یک روستای کوچک، پیرمردی زندگی می‌کرد که باغ بزرگی داشت. هر روز صبح زود از "
        "خواب بیدار می‌شد و به درختانش آب می‌داد. پسرش از او پرسید: چرا این همه کار می‌کنی؟ پیرمرد "
        "گفت: دیگران کاشتند و ما خوردیم، ما بکاریم و دیگران بخورند. پسر این سخن را هرگز فراموش نکرد و "
        "وقتی بزرگ شد، او هم درختان زیادی کاشت.",
        "پدرم هر روز صبح چای گرم می‌نوشد.",
    ),
    "Hindi": (
        "एक समय की बात है, एक छोटे से गाँव में एक गरीब किसान रहता था। उसके पास एक छोटा सा खेत था, "
        "जिसमें वह दिन-रात मेहनत करता था। एक दिन जब वह खेत में हल चला रहा था, तो उसे ज़मीन में "
        "एक पुराना घड़ा मिला। घड़े में सोने के सिक्के भरे हुए थे। किसान बहुत ईमानदार था, इसलिए वह "
        "घड़ा लेकर राजा के पास गया।",
        "मेरा नाम राम है और मैं दिल्ली में रहता हूँ।",
    ),
    "Thai": (
        "กาลครั้งหนึ่งนานมาแล้ว มีชายชราคนหนึ่งอาศัยอยู่ในหมู่บ้านเล็ก ๆ ริมแม่น้ำ เขามีลูกชายสามคน "
        "ทุกเช้าเขาจะตื่นแต่เช้าตรู่เพื่อไปทำนา และกลับบ้านในตอนเย็นพร้อมกับข้าวและปลาที่จับได้ "
        "วันหนึ่งเขาเรียกลูกชายทั้งสามมาหาและบอกว่า พ่อแก่แล้ว ลูกทั้งสามต้องช่วยกันดูแลบ้านและที่นา "
        "ให้ดีที่สุด อย่าทะเลาะกัน",
        "วันนี้อากาศดีมาก เราจะไปเที่ยวทะเลกัน",
    ),
    "Vietnamese": (
        "Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau. Trải qua một cuộc bể dâu, "
        "những điều trông thấy mà đau đớn lòng. Lạ gì bỉ sắc tư phong, trời xanh quen thói má hồng đánh "
        "ghen. Ngày xửa ngày xưa, ở một làng nọ có hai anh em mồ côi cha mẹ. Người anh tham lam, lười "
        "biếng, còn người em thì hiền lành, chăm chỉ làm ăn.",
        "Tôi yêu tiếng nước tôi từ khi mới ra đời.",
    ),
    "Japanese": (
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で"
        "ニャーニャー泣いていた事だけは記憶している。吾輩はここで始めて人間というものを見た。しかもあとで"
        "聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。この書生というのは時々我々を捕えて"
        "煮て食うという話である。しかしその当時は何という考もなかったから別段恐しいとも思わなかった。",
        "今日は雨が降っているので、家でコーヒーを飲みながら本を読みます。",
    ),
    "Chinese (simplified)": (
        "从前有座山，山里有座庙，庙里有个老和尚在给小和尚讲故事。讲的是什么呢？从前有一个农夫，"
        "他每天早上都到田里去干活。有一天，他看见一只兔子飞快地跑过来，一头撞在田边的树桩上，"
        "折断了脖子死了。农夫高兴极了，他想：要是每天都能捡到一只兔子，那该多好啊！从此以后，"
        "他就放下锄头，整天坐在树桩旁边等着，希望再捡到撞死的兔子。结果田里的庄稼都枯死了。",
        "我们明天早上八点在学校门口见面，好吗？如果下雨的话，我们就改在图书馆见吧。",
    ),
    "Chinese (traditional)": (
        "從前有座山，山裡有座廟，廟裡有個老和尚在給小和尚講故事。講的是什麼呢？從前有一個農夫，"
        "他每天早上都到田裡去幹活。有一天，他看見一隻兔子飛快地跑過來，一頭撞在田邊的樹樁上，"
        "折斷了脖子死了。農夫高興極了，他想：要是每天都能撿到一隻兔子，那該多好啊！從此以後，"
        "他就放下鋤頭，整天坐在樹樁旁邊等著，希望再撿到撞死的兔子。結果田裡的莊稼都枯死了。",
        "我們明天早上八點在學校門口見面，好嗎？如果下雨的話，我們就改在圖書館見吧。",
    ),
    "Korean": (
        "옛날 옛적 어느 마을에 마음씨 착한 흥부와 욕심 많은 놀부 형제가 살았습니다. 부모님이 "
        "돌아가시자 놀부는 재산을 모두 차지하고 흥부네 가족을 집에서 내쫓았습니다. 흥부는 가난했지만 "
        "열심히 일하며 아이들을 키웠습니다. 어느 봄날, 흥부는 다리가 부러진 제비 한 마리를 발견하고 "
        "정성껏 치료해 주었습니다. 이듬해 봄, 제비는 박씨 하나를 물고 돌아왔습니다.",
        "오늘은 날씨가 좋아서 친구와 함께 공원에 산책하러 갑니다.",
    ),
}

# The legacy encodings people save each language in.
LEGACY = {
    "English": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "French": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "German": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "Spanish": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "Portuguese": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "Italian": ["cp1252", "latin_1", "iso8859_15", "mac_roman"],
    "Polish": ["cp1250", "iso8859_2"],
    "Czech": ["cp1250", "iso8859_2"],
    "Turkish": ["cp1254", "iso8859_9"],
    "Russian": ["cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"],
    "Ukrainian": ["cp1251", "koi8_u", "mac_cyrillic"],
    "Bulgarian": ["cp1251", "cp866", "iso8859_5", "mac_cyrillic"],
    "Greek": ["cp1253", "iso8859_7"],
    "Hebrew": ["cp1255", "iso8859_8"],
    "Arabic": ["cp1256", "iso8859_6"],
    "Persian": ["cp1256"],
    "Hindi": [],
    "Thai": ["cp874", "tis_620"],
    "Vietnamese": ["cp1258"],
    "Japanese": ["shift_jis", "cp932", "euc_jp", "iso2022_jp"],
    "Chinese (simplified)": ["gb2312", "gbk", "gb18030"],
    "Chinese (traditional)": ["big5", "cp950"],
    "Korean": ["euc_kr", "cp949", "iso2022_kr"],
}

# --- the matrix ------------------------------------------------------------------------------

UNICODE_FORMS = ("utf-8", "utf-8-sig", "utf-16-le+bom", "utf-16-be+bom", "utf-16-le", "utf-16-be")
# What a file in a code page without these characters holds instead.
_SUBSTITUTES = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "ی": "ي",
    "ک": "ك",
    "œ": "oe",
}


def _encode_character(character: str, encoding: str) -> bytes:
    """One character in `encoding`: a substitute, or its base letter and combining marks."""
    try:
        return character.encode(encoding)
    except UnicodeEncodeError:
        pass
    if character in _SUBSTITUTES:
        return _SUBSTITUTES[character].encode(encoding)
    base, *marks = unicodedata.normalize("NFD", character)
    for count in range(len(marks), -1, -1):  # As few separate marks as the code page allows.
        for joined in itertools.combinations(marks, count):
            rest = list(marks)
            for mark in joined:
                rest.remove(mark)
            try:
                head = unicodedata.normalize("NFC", base + "".join(joined)).encode(encoding)
                return head + "".join(rest).encode(encoding)
            except UnicodeEncodeError:
                continue
    raise AssertionError(f"{character!r} cannot be written in {encoding}")


def encode(text: str, form: str) -> bytes:
    """`text` as a file in `form` holds it: an encoding name, or a UTF-16 one with "+bom"."""
    if form.endswith("+bom"):
        encoding = form.removesuffix("+bom")
        mark = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        return mark + text.encode(encoding)
    if form.startswith("utf"):
        return text.encode(form)
    return b"".join(_encode_character(character, form) for character in text)


MATRIX = [
    pytest.param(text, form, id=f"{language}-{kind}-{form}")
    for language, texts in SAMPLES.items()
    for kind, text in zip(("paragraph", "short"), texts, strict=True)
    for form in UNICODE_FORMS + tuple(LEGACY[language])
]


@pytest.mark.parametrize(("text", "form"), MATRIX)
def test_every_language_in_every_encoding_decodes_to_its_text(text: str, form: str) -> None:
    data = encode(text, form)
    expected = unicodedata.normalize("NFC", data.decode(form.removesuffix("+bom"))).lstrip("\ufeff")
    decoded, used = decode_story(data)
    assert decoded == expected, f"read as {used}"
    # The name returned reads the bytes as they are (a different code page may read them the same).
    assert unicodedata.normalize("NFC", data.decode(used)).lstrip("\ufeff") == expected
