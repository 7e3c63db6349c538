import pytest
from django.utils import translation

from roleplay.privacy import mask, scan


def found(text):
    return [(f.type, f.text) for f in scan(text)]


@pytest.mark.parametrize(
    "text",
    [
        "090-1234-5678",
        "09012345678",
        "03-1234-5678",
        "(03)1234-5678",
        "0120-123-456",
        "+81 90 1234 5678",
        "+81-3-1234-5678",
        "０９０−１２３４−５６７８",
        "０９０ー１２３４ー５６７８",
        "090 1234 5678",
    ],
)
def test_it_finds_phone_numbers(text):
    assert found(f"連絡先は{text}です") == [("phone", text)]


@pytest.mark.parametrize(
    "text",
    ["hanako.tanaka@example.co.jp", "a+b@mail.example.com", "ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ"],
)
def test_it_finds_email_addresses(text):
    assert found(f"メールは{text}まで") == [("email", text)]


@pytest.mark.parametrize(
    "text", ["〒123-4567", "〒1234567", "〒 123-4567", "123-4567", "〒１２３－４５６７"]
)
def test_it_finds_postal_codes(text):
    assert found(f"郵便番号は{text}です") == [("postal_code", text)]


@pytest.mark.parametrize(
    "text",
    [
        "東京都世田谷区桜丘1-2-3",
        "横浜市中区山下町12番地",
        "大阪府大阪市北区梅田三丁目1番3号",
        "世田谷区桜丘５－２－１",
        "桜丘3丁目5-2",
        "札幌市中央区北1条西2丁目",
    ],
)
def test_it_finds_addresses_down_to_the_block(text):
    assert found(f"住所は{text}です") == [("address", text)]


@pytest.mark.parametrize("text", ["1234 5678 9018", "123456789018", "1234-5678-9018"])
def test_it_finds_my_numbers(text):
    assert found(f"マイナンバーは{text}です") == [("id_number", text)]


@pytest.mark.parametrize("text", ["123456789012", "1234 5678 9012", "１２３４－５６７８－９０１２"])
def test_it_masks_twelve_digits_whatever_their_check_digit(text):
    # An account or an insurance number has no My Number check digit and is no less private.
    assert found(f"口座は{text}です") == [("id_number", text)]


@pytest.mark.parametrize(
    "text",
    ["03(1234)5678", "０９０（１２３４）５６７８", "0466(22)1234", "（０４５）６７８－９０１２"],
)
def test_it_finds_phone_numbers_with_a_bracketed_part(text):
    assert found(f"電話は{text}です") == [("phone", text)]


def test_it_reads_the_long_vowel_mark_as_a_dash_only_after_a_digit():
    assert found("マイナンバー1234 5678 9012") == [("id_number", "1234 5678 9012")]
    assert found("０９０ー１２３４ー５６７８") == [("phone", "０９０ー１２３４ー５６７８")]


@pytest.mark.parametrize(
    "text",
    [
        "東京都世田谷区北沢2丁目10番15号",
        "〇〇町3-4-5",
        "5番地の2",
        "京都市中京区烏丸通四条上る",
        "堀川通御池西入ル",
        "烏丸通丸太町下ル",
        "四条通河原町東入る",
        "さいたま市浦和区高砂4-5-6",
        "仙台市青葉区一番町４丁目１－２",
    ],
)
def test_it_finds_addresses_with_blocks_and_kyoto_streets(text):
    assert found(f"住まいは{text}です") == [("address", text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ゆいちゃんが泣いている", "ゆい"),
        ("そうたくんは元気です", "そうた"),
        ("はるかが言うには", "はるか"),
        ("娘のゆいちゃんです", "ゆい"),
        ("きょうはそうたくんが寝ていた", "そうた"),
        ("ともやくんが来た", "ともや"),
        ("えまちゃんとあそんだ", "えま"),
    ],
)
def test_it_finds_given_names_in_hiragana(text, name):
    assert found(text) == [("person_name", name)]


def test_it_masks_a_hiragana_name_again_where_it_stands_alone():
    assert found("ゆいちゃんが寝たあと、ゆいの服をたたんだ") == [
        ("person_name", "ゆい"),
        ("person_name", "ゆい"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "おかあさん",
        "おばあちゃん",
        "あかちゃん",
        "おねえさん",
        "おにいちゃん",
        "みなさん",
        "たくさん話した",
        "ごはんをちゃんと食べる",
        "うさぎさんの絵本",
        "おつかれさん",
        "がんばりやさん",
        "ほけんしさん",
        "いっしょにさんぽした",
    ],
)
def test_it_leaves_everyday_words_with_honorifics_alone(text):
    assert found(text) == []


def test_it_ignores_a_my_number_inside_a_longer_number():
    assert found("1234567890189") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("田中花子さんが来ました", "田中花子"),
        ("田中 花子さん", "田中 花子"),
        ("佐藤様にお伝えください", "佐藤"),
        ("高橋さくらちゃんは元気です", "高橋さくら"),
        ("翔太くんが泣いています", "翔太"),
        ("担当の鈴木一郎氏", "鈴木一郎"),
        ("母の陽子は疲れています", "陽子"),
    ],
)
def test_it_finds_person_names_without_the_honorific(text, name):
    assert found(text) == [("person_name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "お母さん",
        "お父さん",
        "保健師さん",
        "助産師さん",
        "支援員さん",
        "児相",
        "コーディネーター",
        "週2回",
        "37時間",
        "37時間の研修",
        "0歳児",
        "2024年4月",
        "2024年4月から",
        "市の保健センター",
        "市の子育て支援課",
        "世田谷区の子育て支援課",
        "Aさん",
        "Bちゃん",
        "ＡさんとＢくん",
        "第12期",
        "10時〜12時",
        "平日9時〜17時",
        "費用は500-1000円",
        "2024-04-01",
        "区役所2階の窓口",
        "横浜市の1-3月の利用者",
        "横浜市1-3月の利用者",
        "町内会の3番目",
        "1歳6か月健診",
        "さくら組の先生",
        "希望があれば絵本の読み聞かせをします",
    ],
)
def test_it_leaves_everyday_words_of_the_domain_alone(text):
    assert found(text) == []


def test_it_gives_offsets_into_the_original_text():
    text = "Ｔｅｌ：０９０−１２３４−５６７８、田中さん、〒１２３－４５６７"
    findings = scan(text)
    assert [(f.type, text[f.start : f.end]) for f in findings] == [
        ("phone", "０９０−１２３４−５６７８"),
        ("person_name", "田中"),
        ("postal_code", "〒１２３－４５６７"),
    ]
    assert all(f.text == text[f.start : f.end] for f in findings)


def test_it_keeps_the_longer_finding_where_two_overlap():
    # The block 1-2-3 and the name in 山田町 must not survive inside the address.
    assert found("山田町1-2-3") == [("address", "山田町1-2-3")]


def test_it_finds_names_past_the_length_sudachi_takes_at_once():
    text = "あ。" * 10_000 + "田中さん"
    [finding] = scan(text)
    assert (finding.type, finding.start, finding.text) == ("person_name", 20_000, "田中")


def test_it_masks_each_finding_with_a_placeholder_of_its_kind():
    result = mask("田中花子さん（090-1234-5678、hanako@example.jp）は〒154-0015 世田谷区桜丘1-2-3")
    assert result.masked == "〔氏名〕さん（〔電話番号〕、〔メール〕）は〔郵便番号〕 〔住所〕"
    assert [f.type for f in result.findings] == [
        "person_name",
        "phone",
        "email",
        "postal_code",
        "address",
    ]


def test_it_masks_my_numbers():
    assert mask("番号は1234-5678-9018です").masked == "番号は〔個人番号〕です"


def test_it_leaves_clean_text_unchanged_and_says_nothing():
    result = mask("お母さんは週2回ひろばに来ています")
    assert result.masked == "お母さんは週2回ひろばに来ています"
    assert result.findings == []
    assert result.notice == ""


def test_it_tells_the_learner_what_was_masked_and_why():
    with translation.override("en"):
        notice = mask("田中さんの電話は090-1234-5678、また田中さん").notice
    assert notice == (
        "Please do not use real families' information in practice. We masked names, phone numbers."
    )


def test_it_explains_the_masking_to_the_learner_in_japanese():
    with translation.override("ja"):
        notice = mask("田中花子さんに090-1234-5678で連絡").notice
    assert notice == (
        "練習では実在の家庭の情報を使わないでください。氏名・電話番号を伏せ字にしました。"
    )
