"""What the corpus is made of: names, places, mail domains (weighted),
reserved and decoy names, full-width and invisible characters, and the
character tests the line builder needs.
"""

import string
import unicodedata

PINYIN = ("zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng "
          "liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye "
          "cheng wei su lu ding ren shen yao jin wen xin hao jie ming hua jun ping yan fang lei tao "
          "qiang bin hui ling xiu ying mei na jing fei kai xiang long hong yun chao bo lan qing").split()
EN_FIRST = ("james john robert michael william david richard joseph thomas daniel mary patricia jennifer "
            "linda elizabeth susan jessica sarah karen emily kevin brian jason ryan eric amy anna chris "
            "alex kate tom ben lucy grace henry jack oliver sophie").split()
EN_LAST = ("smith johnson williams brown jones miller davis garcia wilson anderson taylor thomas moore "
           "martin lee white harris clark lewis walker young allen king wright scott green baker adams "
           "nelson hill campbell chan wong ng cheung lam tan lim").split()
HANZI_FAMILY = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚"
HANZI_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲燕凤梅琳晨宇浩然子轩欣怡思雨佳琪"
PROVINCES = ["浙江省杭州市西湖区", "浙江省宁波市鄞州区", "广东省深圳市南山区", "广东省广州市天河区", "北京市朝阳区",
             "上海市浦东新区", "江苏省南京市鼓楼区", "四川省成都市武侯区", "湖北省武汉市洪山区", "福建省厦门市思明区",
             "山东省青岛市市南区", "河南省郑州市金水区", "浙江省温州市鹿城区", "重庆市渝中区", "天津市和平区"]
STREETS = ["文三路", "中山路", "人民路", "解放路", "建设路", "科技园南路", "长江路", "滨江大道", "学院路", "天目山路"]
EN_CITIES = ["London", "New York", "Hong Kong", "Taipei", "Tokyo", "Singapore", "Sydney", "Berlin", "Toronto", "Kuala Lumpur"]

# (domain, weight)
DOMAINS = [("icloud.com", 14), ("me.com", 5), ("mac.com", 2), ("qq.com", 16), ("vip.qq.com", 2), ("foxmail.com", 3),
           ("163.com", 10), ("126.com", 5), ("yeah.net", 1), ("vip.163.com", 1), ("sina.com", 3), ("sina.cn", 1),
           ("sina.com.cn", 1), ("sohu.com", 2), ("139.com", 2), ("189.cn", 1), ("aliyun.com", 1), ("21cn.com", 1),
           ("tom.com", 1), ("gmail.com", 10), ("outlook.com", 5), ("hotmail.com", 4), ("live.cn", 1), ("live.com", 1),
           ("yahoo.com", 3), ("yahoo.com.hk", 1), ("yahoo.com.tw", 1), ("yahoo.co.jp", 1), ("hinet.net", 1),
           ("netvigator.com", 1), ("singnet.com.sg", 1), ("bigpond.com", 1), ("gmx.de", 1), ("web.de", 1),
           ("btinternet.com", 1), ("yandex.ru", 1), ("mail.ru", 1), ("naver.com", 1), ("proton.me", 1),
           ("protonmail.com", 2), ("cock.li", 1), ("tutanota.com", 1), ("zju.edu.cn", 1), ("mail.ustc.edu.cn", 1),
           ("pku.edu.cn", 1), ("stu.xmu.edu.cn", 1), ("huawei.com", 1), ("foxconn.com", 1), ("alumni.hku.hk", 1),
           ("ntu.edu.tw", 1), ("shop-mall.top", 1), ("fastmail.fm", 1), ("mail.co.uk", 1), ("ox.ac.uk", 1)]
DOMAIN_LIST = [d for d, _ in DOMAINS]
DOMAIN_W = [w for _, w in DOMAINS]
SIMPLE_DOMAINS = [d for d in DOMAIN_LIST if d.count(".") == 1]

RESERVED_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org",
                    "foo.test", "shop.test", "bar.invalid", "nowhere.invalid", "host.localhost", "site.example"]
IMAGE_NAMES = ["logo@2x.png", "icon@3x.jpg", "banner@2x.webp", "avatar_small@2x.gif", "btn_close@2x.png",
               "bg_header@3x.png", "arrow-left@2x.svg", "splash@2x.jpeg", "tabbar_home@3x.png", "icon@1.5x.png"]

FULL = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "@.+-_()"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
ASCII_ALNUM = set(string.ascii_letters + string.digits)


def to_full(s, keep=""):
    return "".join(FULL.get(c, c) if c not in keep else c for c in s)


def nk(ch):
    return unicodedata.normalize("NFKC", ch) if ch else ""


def is_cjk(ch):
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
