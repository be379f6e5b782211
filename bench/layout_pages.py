"""Article pages in the layout classes real Arabic sites use, for the tests and the differential harness.

Each class renders any story (title, paragraphs, section, date, author) into a page as such a site would
write it, chrome included. tests/fixtures/layouts/ holds one page of each class with a story written for the
project (`python bench/layout_pages.py` writes them again from the stories in their .json files); the
harness (bench/differential.py) also renders real articles from ../shared/data into every class, so the
extraction is measured on text nobody wrote for it.

- aspnet-br-div: an ASP.NET WebForms page (everything inside <form id="aspnetForm">, __VIEWSTATE) whose
  body is one <div> of text with paragraphs separated by <br /><br /> (Lebanese outlets, many Gulf CMSs).
- php-br-pullquote: a windows-1256 PHP page, paragraphs separated by one or two <br>, a pull quote in
  <strong> between them, comments under the article.
- table-side-menu: a <table> layout: a side cell with the site's menu, then the headline, a date <span> and
  the body as <div>s in the main cell, a footer row.
- drupal-word-divs: a Drupal body pasted from Word: one <div dir="RTL"> per paragraph, &nbsp; spacer divs.
- font-center: a 2000s page: <center>, nested tables, <font face=...>, body text straight in a <td> with
  <br><br> between paragraphs.
- nested-tables-td: nested tables, one paragraph per <td> row, the headline in a <td class="title">.
- wordpress-byline-date: a WordPress entry whose byline and date are the body's first paragraphs.
- noscript-body: a JavaScript application shell; the article only in <noscript>.
- jsonld-body: a JavaScript shell; the body only in JSON-LD articleBody (paragraphs separated by \\r\\n).
"""
from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

E = html.escape
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "layouts"
SECTIONS = ["الرئيسية", "محليات", "سياسة", "عربي ودولي", "اقتصاد", "رياضة", "ثقافة وفنون", "صحة", "تكنولوجيا",
            "منوعات", "كاريكاتير", "اتصل بنا"]
RELATED = ["وزير الطاقة يبحث مع وفد دولي تمويل معمل جديد", "ارتفاع أسعار المحروقات للمرة الثالثة هذا الشهر",
           "نقابة المعلمين تعلن الإضراب يومين الأسبوع المقبل", "الأمطار الغزيرة تغلق طرقا جبلية عدة",
           "مجلس الوزراء يقر مشروع قانون الإيجارات", "افتتاح معرض الصناعات الحرفية في العاصمة"]
VIEWSTATE = ("/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWBAIBD2QWAmYPFgIeBFRleHQFJtmF2K3ZhNmK2KfYqmQCAw9kFgQCAQ8PFgIf"
             "AAUn2YXYpNiz2LPYqSDYp9mE2YPZh9ix2KjYp9ihZGQCAw8PFgIfAAUc2KfZhNir2YTYp9ir2KfYoSAxMiDYotiw2KfYsWRkGAEF"
             "Hl9fQ29udHJvbHNSZXF1aXJlUG9zdEJhY2tLZXlfXxYBBQ1jdGwwMCRidG5TZWFyY2g=") * 6


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    section: str = "محليات"
    date: str = ""
    author: str = ""


@dataclass
class Page:
    """A rendered page and what a correct extraction does with it."""

    html: bytes
    content_type: str
    removed: list[tuple[str, str]] = field(default_factory=list)  # (text, reason) removed on purpose
    not_body: list[str] = field(default_factory=list)  # lines on the page that are not the article


def _menu_items(href: str) -> str:
    return "".join(f'<li><a href="{href}{i}">{E(n)}</a></li>' for i, n in enumerate(SECTIONS))


def _pull_quote(story: Story) -> tuple[int, str]:
    """A pull quote as editors cut them: the first 70 % of the second paragraph's words, set after the third."""
    words = story.paragraphs[1].split()
    return min(2, len(story.paragraphs) - 1), " ".join(words[: max(8, int(len(words) * 0.7))])


def aspnet_br_div(story: Story) -> Page:
    related = "".join(f'<li><a href="Article.aspx?ArticleID={4120 + i}">{E(t)}</a></li>' for i, t in enumerate(RELATED))
    body = "<br /><br />".join(E(p) for p in story.paragraphs)
    page = f'''<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="rtl">
<head id="ctl00_Head1"><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>
	{E(story.title)} - الوطن اليوم
</title><link href="App_Themes/Default/Style.css" type="text/css" rel="stylesheet" />
<meta name="description" content="{E(story.paragraphs[0][:120])}" /></head>
<body>
    <form name="aspnetForm" method="post" action="./ArticleDetails.aspx?ArticleID=4127" id="aspnetForm">
<div>
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{VIEWSTATE}" />
</div>

<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
if (!theForm) {{
    theForm = document.aspnetForm;
}}
function __doPostBack(eventTarget, eventArgument) {{
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {{
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }}
}}
//]]>
</script>
<script src="/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZHhZbXx8LZ4hE1&amp;t=638250864960000000" type="text/javascript"></script>
    <div id="wrapper">
        <div id="header">
            <div class="logo"><a href="Default.aspx"><img src="images/logo.png" alt="الوطن اليوم" /></a></div>
            <div class="date-today">{E(story.date)}</div>
            <div id="search"><input name="ctl00$txtSearch" type="text" id="ctl00_txtSearch" class="searchbox" /><a id="ctl00_btnSearch" href="javascript:__doPostBack('ctl00$btnSearch','')">بحث</a></div>
        </div>
        <div id="menu"><ul>{_menu_items("Category.aspx?CatID=")}</ul></div>
        <div id="ticker"><span class="ticker-title">عاجل</span><marquee direction="right" scrollamount="3">{E(RELATED[0])} ... {E(RELATED[4])}</marquee></div>
        <div id="main">
            <div id="content">
                <div class="breadcrumb"><a href="Default.aspx">الرئيسية</a> &gt; <a href="Category.aspx?CatID=1">{E(story.section)}</a></div>
                <span id="ctl00_ContentPlaceHolder1_lblCategory" class="CatTitle">{E(story.section)}</span>
                <h1 class="ArticleTitle"><span id="ctl00_ContentPlaceHolder1_lblTitle">{E(story.title)}</span></h1>
                <span id="ctl00_ContentPlaceHolder1_lblDate" class="ArticleDate">{E(story.date)}</span>
                <div class="ArticleImage"><img id="ctl00_ContentPlaceHolder1_imgArticle" src="Images/News/4127.jpg" alt="" style="width:460px;" /><span class="caption">صورة من الأرشيف</span></div>
                <div id="ctl00_ContentPlaceHolder1_divBody" class="ArticleText">
{body}
                </div>
                <div class="share">شارك: <a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a> <a href="javascript:window.print()">طباعة</a></div>
                <div class="related"><h3>أخبار ذات صلة</h3><ul>{related}</ul></div>
            </div>
            <div id="sidebar">
                <div class="box"><h3>الأكثر قراءة</h3><ul>{related}</ul></div>
                <div class="box"><h3>استطلاع الرأي</h3><p>هل تؤيد رفع الرسوم مقابل تحسين الخدمات العامة؟</p><input type="radio" name="poll" /> نعم <input type="radio" name="poll" /> لا</div>
            </div>
        </div>
        <div id="footer"><a href="About.aspx">من نحن</a> | <a href="Contact.aspx">اتصل بنا</a> | <a href="Ads.aspx">أعلن معنا</a><br />جميع الحقوق محفوظة © الوطن اليوم 2024</div>
    </div>
<script type="text/javascript">
//<![CDATA[
WebForm_AutoFocus('ctl00_txtSearch');//]]>
</script>
</form>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8",
                not_body=[story.section, story.title, story.date, "جميع الحقوق محفوظة © الوطن اليوم 2024"])


def php_br_pullquote(story: Story) -> Page:
    at, quote = _pull_quote(story)
    parts = []
    for i, text in enumerate(story.paragraphs):
        parts.append(E(text))
        if i == at:
            parts.append(f"<strong>«{E(quote)}»</strong>")
    # one <br> or two between paragraphs, as the editor typed them
    body = "".join(p + ("<br>\n" if i % 3 == 2 else "<br>\n<br>\n") for i, p in enumerate(parts))
    latest = "".join(f'<li><a href="news.php?id={880 + i}">{E(t)}</a> <span class="time">منذ {i + 1} ساعة</span></li>'
                     for i, t in enumerate(RELATED))
    nav = "".join(f'<li><a href="cat.php?id={i}">{E(n)}</a></li>' for i, n in enumerate(SECTIONS))
    footer = "جميع الحقوق محفوظة لشبكة أخبار المدينة © 2010 - 2024 | تصميم وبرمجة: شركة الحلول الرقمية"
    page = f'''<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>{E(story.title)} :: شبكة أخبار المدينة</title>
<link rel="stylesheet" href="css/style.css" type="text/css">
<script type="text/javascript" src="js/jquery-1.4.2.min.js"></script>
<script type="text/javascript">$(document).ready(function(){{ $('#latest').innerfade({{speed: 'slow', timeout: 4000}}); }});</script>
</head>
<body>
<div id="container">
  <div id="top"><a href="index.php"><img src="images/logo.gif" alt="شبكة أخبار المدينة" border="0"></a>
    <div class="ads468"><a href="ads.php?id=3"><img src="ads/banner3.gif" width="468" height="60" border="0"></a></div></div>
  <div id="nav"><ul>{nav}</ul></div>
  <div id="right">
    <div class="news_box">
      <div class="news_title"><h2>{E(story.title)}</h2></div>
      <div class="news_info">تاريخ النشر: {E(story.date)} | عدد القراءات: 1245 | <a href="print.php?id=887">نسخة للطباعة</a></div>
      <div class="news_img"><img src="upload/news/887.jpg" width="300" align="left" alt=""></div>
      <div class="news_details">
{body}      </div>
      <div class="news_tools"><a href="send.php?id=887">أرسل لصديق</a> - <a href="print.php?id=887">طباعة</a></div>
      <div class="comments"><h3>التعليقات</h3><div class="comment"><b>أبو سامر</b><br>خبر مهم، نتمنى أن تتابعوا الموضوع حتى النهاية.</div>
      <div class="comment"><b>ناديا</b><br>شكرا على التغطية.</div>
      <form action="comment.php" method="post"><input type="text" name="name"> <textarea name="comment"></textarea><input type="submit" value="أضف تعليقك"></form></div>
    </div>
  </div>
  <div id="left">
    <div class="box"><div class="box_title">آخر الأخبار</div><ul id="latest">{latest}</ul></div>
    <div class="box"><div class="box_title">القائمة البريدية</div><form action="list.php"><input type="text" name="email"><input type="submit" value="اشترك"></form></div>
  </div>
  <div id="footer">{E(footer)}</div>
</div>
</body>
</html>
'''
    return Page(page.encode("windows-1256", errors="xmlcharrefreplace"), "text/html",
                removed=[(f"«{quote}»", "fragment")], not_body=[story.title, footer])


def table_side_menu(story: Story) -> Page:
    side = "<br>\n".join(f'<a href="section.asp?id={i}" class="menulink">{E(n)}</a>' for i, n in enumerate(SECTIONS))
    body = "".join(f'      <div align="justify">{E(p)}</div>\n' for p in story.paragraphs)
    footer = "جميع الحقوق محفوظة لصحيفة الشرقية اليوم 2024 - من نحن - اتصل بنا"
    page = f'''<html dir="rtl">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{E(story.title)}</title>
<link href="style.css" rel="stylesheet" type="text/css">
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="100%" border="0" cellspacing="0" cellpadding="0">
  <tr>
    <td height="90" colspan="2" bgcolor="#0B3D6B"><img src="images/logo.jpg" width="250" height="90"><img src="images/banner.gif" width="468" height="60"></td>
  </tr>
  <tr>
    <td width="170" valign="top" bgcolor="#E8EEF4" class="side">
{side}
      <br><br><b>القائمة البريدية</b><br><input type="text" name="email" size="15"><input type="submit" value="اشتراك">
    </td>
    <td valign="top" class="main">
      <span class="title">{E(story.title)}</span><br>
      <span class="date">{E(story.date)}</span><br><br>
{body}      <br><a href="print.asp?id=5521">طباعة</a> | <a href="send.asp?id=5521">أرسل الخبر</a>
    </td>
  </tr>
  <tr>
    <td colspan="2" align="center" class="footer">جميع الحقوق محفوظة لصحيفة الشرقية اليوم 2024 - <a href="about.asp">من نحن</a> - <a href="contact.asp">اتصل بنا</a></td>
  </tr>
</table>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8",
                not_body=[SECTIONS[0], " ".join(SECTIONS), story.title, story.date, footer])


def drupal_word_divs(story: Story) -> Page:
    spacer = '<div dir="RTL" style="text-align: justify;">&nbsp;</div>\n'
    body = spacer.join(f'<div dir="RTL" style="text-align: justify;"><span style="font-size:14px;">{E(p)}</span></div>\n'
                       for p in story.paragraphs)
    byline = f'<div class="field field-name-field-author">كتب: {E(story.author)}</div>' if story.author else ""
    page = f'''<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>{E(story.title)} | بوابة الأخبار</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="og:title" content="{E(story.title)}">
<meta property="og:type" content="article">
<link rel="stylesheet" href="/sites/all/themes/news/css/style.css?q8xk2c">
<script src="/misc/jquery.js?v=1.4.4"></script>
<script>jQuery.extend(Drupal.settings, {{"basePath":"\\/","pathPrefix":"ar\\/","ajaxPageState":{{"theme":"news"}}}});</script>
</head>
<body class="html not-front page-node page-node- page-node-51234 node-type-article i18n-ar">
<div id="page-wrapper"><div id="page">
<div id="header"><div class="section clearfix">
<a href="/ar" title="الرئيسية" rel="home" id="logo"><img src="/sites/default/files/logo.png" alt="الرئيسية"></a>
<div class="region region-header"><div id="block-search-form" class="block block-search"><form action="/ar/search" method="post"><input type="text" name="search_block_form"><input type="submit" value="بحث"></form></div></div>
</div></div>
<div id="navigation"><div class="section"><ul class="menu">{_menu_items("/ar/taxonomy/term/")}</ul></div></div>
<div id="main-wrapper"><div id="main" class="clearfix">
<div id="content" class="column"><div class="section">
<div class="breadcrumb"><a href="/ar">الرئيسية</a> » <a href="/ar/taxonomy/term/4">{E(story.section)}</a></div>
<h1 class="title" id="page-title">{E(story.title)}</h1>
<div class="region region-content">
<div id="node-51234" class="node node-article node-promoted clearfix" about="/ar/node/51234" typeof="sioc:Item foaf:Document">
  <div class="submitted"><span property="dc:date dc:created" content="2024-03-07T14:15:00+02:00" datatype="xsd:dateTime">{E(story.date)}</span></div>
  {byline}
  <div class="field field-name-field-image"><img typeof="foaf:Image" src="/sites/default/files/styles/large/public/51234.jpg" alt=""></div>
  <div class="content">
    <div class="field field-name-body field-type-text-with-summary field-label-hidden"><div class="field-items"><div class="field-item even" property="content:encoded">
{body}</div></div></div>
    <div class="field field-name-field-tags"><div class="field-label">الكلمات الدالة:&nbsp;</div><div class="field-items"><div class="field-item even"><a href="/ar/tags/1">{E(story.section)}</a></div></div></div>
  </div>
  <ul class="links inline"><li class="print_html first"><a href="/ar/print/51234">نسخة للطباعة</a></li><li class="forward last"><a href="/ar/forward?path=node/51234">أرسل لصديق</a></li></ul>
</div>
<div class="block block-views"><h2>مواضيع ذات صلة</h2><div class="view-content"><ul>{"".join(f'<li><a href="/ar/node/{51200 + i}">{E(t)}</a></li>' for i, t in enumerate(RELATED))}</ul></div></div>
</div></div></div>
</div></div>
<div id="footer"><div class="section">جميع الحقوق محفوظة © بوابة الأخبار 2024 - <a href="/ar/privacy">سياسة الخصوصية</a></div></div>
</div></div>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8",
                not_body=[story.title, story.date, f"كتب: {story.author}", "جميع الحقوق محفوظة © بوابة الأخبار 2024 - سياسة الخصوصية"])


def font_center(story: Story) -> Page:
    body = "<br><br>\n".join(E(p) for p in story.paragraphs)
    links = " | ".join(f'<a href="/{i}.htm"><font color="#FFFFFF">{E(n)}</font></a>' for i, n in enumerate(SECTIONS))
    side = "".join(f'<a href="/archive/{i}.htm">{E(t)}</a><br><br>' for i, t in enumerate(RELATED))
    page = f'''<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<meta http-equiv="Content-Language" content="ar-sa">
<title>{E(story.title)}</title>
</head>
<body dir="rtl" bgcolor="#F5F5DC" text="#000000" link="#003366" vlink="#660000">
<center>
<table border="0" width="770" cellspacing="0" cellpadding="0">
  <tr><td><img border="0" src="images/top.jpg" width="770" height="110"></td></tr>
  <tr><td bgcolor="#003366" height="22" align="center"><font face="Tahoma" size="2">{links}</font></td></tr>
  <tr><td>
    <table border="0" width="100%" cellspacing="4" cellpadding="4">
      <tr>
        <td width="600" valign="top" align="right">
          <p align="center"><font face="Simplified Arabic" size="5" color="#990000"><b>{E(story.title)}</b></font></p>
          <p align="left"><font face="Tahoma" size="1" color="#808080">{E(story.date)}</font></p>
          <font face="Simplified Arabic" size="4">
{body}
          </font>
          <p align="center"><a href="javascript:history.back()"><font face="Tahoma" size="2">رجوع</font></a></p>
        </td>
        <td width="170" valign="top" bgcolor="#E0E0C0"><font face="Tahoma" size="2"><b>من الأرشيف</b><br><br>{side}</font></td>
      </tr>
    </table>
  </td></tr>
  <tr><td align="center" bgcolor="#003366"><font face="Tahoma" size="1" color="#FFFFFF">جميع الحقوق محفوظة لمجلة الثقافة 2004</font></td></tr>
</table>
</center>
</body>
</html>
'''
    return Page(page.encode("windows-1256", errors="xmlcharrefreplace"), "text/html",
                not_body=[story.title, story.date, "جميع الحقوق محفوظة لمجلة الثقافة 2004", "رجوع"])


def nested_tables_td(story: Story) -> Page:
    rows = "".join(f'<tr><td class="text" align="justify">{E(p)}</td></tr>\n<tr><td height="8"></td></tr>\n'
                   for p in story.paragraphs)
    menu = "".join(f'<tr><td class="menu"><a href="list.php?cat={i}">{E(n)}</a></td></tr>' for i, n in enumerate(SECTIONS))
    page = f'''<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html dir="rtl" lang="ar">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{E(story.title)} - صحيفة الجامعة</title>
<style type="text/css">.title {{ font-size: 18px; font-weight: bold; color: #7A0000 }} .text {{ font-size: 14px; line-height: 24px }}</style>
</head>
<body>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
  <tr><td colspan="2"><img src="img/header.jpg" width="980" height="120" alt=""></td></tr>
  <tr>
    <td width="200" valign="top"><table width="100%" border="0" cellspacing="1" cellpadding="4">{menu}</table></td>
    <td valign="top">
      <table width="100%" border="0" cellspacing="0" cellpadding="6">
        <tr><td class="path"><a href="index.php">الرئيسية</a> &raquo; <a href="list.php?cat=8">{E(story.section)}</a></td></tr>
        <tr><td class="title">{E(story.title)}</td></tr>
        <tr><td class="date">{E(story.date)}</td></tr>
        <tr><td>
          <table width="100%" border="0" cellspacing="0" cellpadding="0">
{rows}          </table>
        </td></tr>
        <tr><td align="left"><a href="print.php?id=311"><img src="img/print.gif" border="0" alt="طباعة"></a></td></tr>
      </table>
    </td>
  </tr>
  <tr><td colspan="2" align="center" class="footer">الحقوق محفوظة لصحيفة الجامعة 2009 - تصميم قسم الحاسب الآلي</td></tr>
</table>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8",
                not_body=[story.section, story.title, story.date, "الحقوق محفوظة لصحيفة الجامعة 2009 - تصميم قسم الحاسب الآلي"])


def wordpress_byline_date(story: Story) -> Page:
    body = "\n".join(f"<p>{E(p)}</p>" for p in story.paragraphs)
    byline = f"<p><strong>كتب: {E(story.author)}</strong></p>\n" if story.author else ""
    page = f'''<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{E(story.title)} &#8211; الساحل نيوز</title>
<meta property="og:locale" content="ar_AR">
<meta property="og:type" content="article">
<meta property="og:title" content="{E(story.title)}">
<link rel="stylesheet" id="theme-css" href="https://sahilnews.example/wp-content/themes/newsmag/style.css?ver=5.8" type="text/css" media="all">
<script type="text/javascript" src="https://sahilnews.example/wp-includes/js/jquery/jquery.min.js?ver=3.6.0"></script>
</head>
<body class="post-template-default single single-post postid-9917 single-format-standard rtl">
<div id="page" class="site">
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/" rel="home">الساحل نيوز</a></p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{_menu_items("/category/")}</ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-9917" class="post-9917 post type-post status-publish format-standard has-post-thumbnail hentry category-news">
<header class="entry-header"><h1 class="entry-title">{E(story.title)}</h1></header>
<div class="entry-content">
{byline}<p>{E(story.date)}</p>
{body}
<div class="sharedaddy"><h3 class="sd-title">شارك هذا:</h3><ul><li><a href="?share=facebook">فيسبوك</a></li><li><a href="?share=twitter">تويتر</a></li></ul></div>
</div>
<footer class="entry-footer"><span class="cat-links">نشرت في <a href="/category/news/" rel="category tag">{E(story.section)}</a></span></footer>
</article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="/?p=9916" rel="prev">{E(RELATED[1])}</a></div><div class="nav-next"><a href="/?p=9918" rel="next">{E(RELATED[2])}</a></div></div></nav>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3><form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">لن يتم نشر عنوان بريدك الإلكتروني.</p><textarea id="comment" name="comment"></textarea><input name="submit" type="submit" id="submit" class="submit" value="إرسال التعليق"></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">أحدث المقالات</h2><ul>{"".join(f'<li><a href="/?p={9900 + i}">{E(t)}</a></li>' for i, t in enumerate(RELATED))}</ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">جميع الحقوق محفوظة © 2024 الساحل نيوز</div></footer>
</div>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=UTF-8",
                not_body=[story.title, story.date, f"كتب: {story.author}", "جميع الحقوق محفوظة © 2024 الساحل نيوز"])


def noscript_body(story: Story) -> Page:
    body = "".join(f"<p>{E(p)}</p>" for p in story.paragraphs)
    state = json.dumps({"route": "/article/77812", "locale": "ar", "user": None}, ensure_ascii=False)
    page = f'''<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{E(story.title)} | المدينة 24</title>
<meta property="og:title" content="{E(story.title)}">
<meta property="og:site_name" content="المدينة 24">
<link rel="preload" href="/static/js/main.4f9c2a1b.js" as="script">
<link href="/static/css/main.8d2e61c0.css" rel="stylesheet">
</head>
<body>
<div id="root"><div class="app-loading"><span class="spinner"></span></div></div>
<noscript><article class="article-static"><h1>{E(story.title)}</h1><time datetime="2024-03-14T09:30:00+03:00">{E(story.date)}</time>{body}</article><p>يرجى تفعيل جافاسكريبت لتصفح الموقع.</p></noscript>
<script>window.__INITIAL_STATE__={state};</script>
<script src="/static/js/runtime.0c1d2e3f.js"></script>
<script src="/static/js/main.4f9c2a1b.js"></script>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8",
                not_body=[story.title, story.date, "يرجى تفعيل جافاسكريبت لتصفح الموقع."])


def jsonld_body(story: Story) -> Page:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
          "articleSection": story.section, "inLanguage": "ar", "articleBody": "\r\n".join(story.paragraphs),
          "publisher": {"@type": "Organization", "name": "الخبر اليوم"}}
    if story.author:
        ld["author"] = {"@type": "Person", "name": story.author}
    page = f'''<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>{E(story.title)} - الخبر اليوم</title>
<meta name="description" content="{E(story.paragraphs[0][:150])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<script defer src="/_next/static/chunks/main-5c1f.js"></script>
</head>
<body>
<div id="__next"><header class="hdr"><a href="/" class="logo">الخبر اليوم</a></header>
<main><h1 class="headline">{E(story.title)}</h1><div class="article-skeleton" aria-busy="true"></div></main></div>
<script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"id":66120}}}},"page":"/article/[id]","buildId":"x7Yq"}}</script>
</body>
</html>
'''
    return Page(page.encode("utf-8"), "text/html; charset=utf-8", not_body=[story.title])


LAYOUTS: dict[str, Callable[[Story], Page]] = {
    "aspnet-br-div": aspnet_br_div,
    "php-br-pullquote": php_br_pullquote,
    "table-side-menu": table_side_menu,
    "drupal-word-divs": drupal_word_divs,
    "font-center": font_center,
    "nested-tables-td": nested_tables_td,
    "wordpress-byline-date": wordpress_byline_date,
    "noscript-body": noscript_body,
    "jsonld-body": jsonld_body,
}


def write_fixtures(folder: Path = FIXTURES) -> None:
    """Render each fixture's story (its .json) into its layout again: <name>.html beside <name>.json."""
    for spec_path in sorted(folder.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        story = Story(spec["title"], spec["paragraphs"], spec["section"], spec["date"], spec["author"])
        page = LAYOUTS[spec_path.stem](story)
        spec_path.with_suffix(".html").write_bytes(page.html)
        spec.update(content_type=page.content_type, removed=[{"text": t, "reason": r} for t, r in page.removed],
                    not_body=page.not_body)
        spec_path.write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_fixtures(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
