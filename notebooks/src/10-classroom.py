# %% [markdown]
# # 10 · The classroom: a certificate for every student, and a zoo of broken ones
#
# **What you'll do:** turn a class list into one client certificate and one zip bundle per
# student, run the class server that greets each student by name and keeps the roll call,
# revoke a student's certificate and watch the server refuse it, and then visit the
# failure zoo: fourteen HTTPS endpoints, each broken in one way, tried with Python's `ssl`,
# `curl` and `openssl`.
#
# **What you'll learn:** how a name in Chinese characters becomes a certificate subject
# and a safe file name, why re-running must never re-issue a certificate silently, what a
# server can and cannot tell about a client it refuses, and which checks each client
# really makes.
#
# **What you'll need:** lessons 05 and 06. `curl` and `openssl` are optional: their cells
# are skipped where they are missing. The same steps as commands: `pkilab class`,
# `pkilab serve --class`, `pkilab zoo` (README, *For instructors*).

# %% [markdown] lang=zh-CN
# # 10 · 课堂：每个学生一张证书，外加一个“坏证书动物园”
#
# **你将做什么：** 把一份学生名单变成每人一张客户端证书和一个 zip 包；运行课堂服务器，它按名字问候每个学生并记录签到；吊销 (revoke) 一个学生的证书，看服务器如何拒绝它；最后参观“故障动物园”
# (failure zoo)：十四个 HTTPS 端点，每个只坏在一处，分别用 Python 的 `ssl`、`curl` 和 `openssl`
# 去连。
#
# **你将学到：** 中文姓名如何写进证书主题 (subject)、又如何变成安全的文件名；为什么重新运行时绝不能悄悄重新签发证书；服务器拒绝一个客户端时，它能知道什么、不能知道什么；每种客户端实际检查了哪些东西。
#
# **你需要：** 第 05、06 课。`curl` 和 `openssl` 可选：没有安装时，相关单元格会被跳过。同样的步骤也有命令行版本：`pkilab class`、`pkilab serve --class`、`pkilab zoo`（见 README 的
# *For instructors* 一节）。

# %%
import re
import zipfile

from pkilab import (
    Rollcall,
    TLSConnectionError,
    Zoo,
    build_certificate_set,
    load_certificate,
    load_class,
    make_class,
    read_roster,
    request,
    revoke_student,
    zoo_table,
)
from pkilab.exercises import l10
from pkilab.lesson import lab_dir

lab = lab_dir("10")
klass = lab / "class"

# %% [markdown]
# ## 1. From a class list to bundles
#
# A roster is a CSV file: one student per line, the name first, then (optionally) an
# e-mail address and a student id. Excel's "CSV UTF-8" works, and the header may be in
# Chinese. This class has two students called 王伟 (told apart by their ids), two called
# 李娜 with no ids, and one name with accents.

# %% [markdown] lang=zh-CN
# ## 1. 从学生名单到证书包
#
# 名单是一个 CSV 文件：每行一个学生，先写姓名，然后（可选）邮箱和学号。Excel 的
# “CSV UTF-8”格式可以直接用，表头也可以是中文。这个班有两个“王伟”（靠学号区分），两个没有学号的“李娜”，还有一个带重音符号的名字。

# %%
roster_text = """姓名,邮箱,学号
王伟,,2026001
王伟,,2026002
李娜,,
李娜,,
José Núñez,jose@example.edu,
Ann Lee,ann@example.edu,2026005
Bob Ray,,2026006
"""
(lab / "students.csv").write_text(roster_text, encoding="utf-8")
rows = read_roster((lab / "students.csv").read_bytes())
result = make_class(klass, rows, now_label="lesson")
print(f"{len(load_class(klass).students)} students")
for student in load_class(klass).students:
    print(f"  {student.name:<12} id {student.uid:<12} files: students/{student.stem}/, "
          f"bundles/{student.stem}.zip")

# %% [markdown]
# File names must work on every laptop, so they are plain ASCII: the student id when the
# roster gives one, else the name without accents (`jose-nunez`), else — a Chinese name
# with no id — `student-NNN` after its line in the roster. pkilab does not guess a
# pinyin spelling (王 alone has several readings in names): give student ids when names are
# Chinese. The certificate itself keeps the name exactly as written, in UTF-8, and puts the
# student id in the `UID` attribute, so the two 王伟 are two different subjects:

# %% [markdown] lang=zh-CN
# 文件名必须在每台笔记本上都能用，所以只用 ASCII：名单里有学号就用学号；否则用去掉重音的名字（`jose-nunez`）；如果是没有学号的中文名，就用它在名单中的行号 `student-NNN`。pkilab
# 不去猜拼音（人名里的多音字很常见），所以中文名单请附上学号。证书本身按原样以 UTF-8 保存姓名，并把学号放在 `UID` 属性里，因此两个“王伟”是两个不同的主题：

# %%
for stem in ("2026001", "2026002", "student-004"):
    cert = load_certificate(klass / "students" / stem / f"{stem}.crt")
    print(f"{stem:<12} subject {cert.subject.rfc4514_string()}")

# %% [markdown]
# Each bundle holds the student's key, certificate and `.p12`, the class `root.crt`, and a
# one-page README in English and Chinese. The `.p12` password is *not* in it: each
# student's random password is printed once, when the bundle is made, and kept in the
# instructor sheet (mode 0600) for you to hand out separately.

# %% [markdown] lang=zh-CN
# 每个 zip 包里有学生的私钥 (private key)、证书和 `.p12` 文件、本课程的 `root.crt`，以及一页中英双语的 README。`.p12` 的密码*不在*包里：每个学生的随机密码只在生成时打印一次，并保存在老师的名单文件里（权限 0600），由老师另行发给学生。

# %%
with zipfile.ZipFile(klass / "bundles" / "2026001.zip") as archive:
    print(sorted(archive.namelist()))
    readme = archive.read("2026001/README.txt").decode()
print("README:", readme.splitlines()[0])
print("  " + next(line for line in readme.splitlines() if "curl --cacert" in line).strip())
sheet = (klass / "instructor-sheet-lesson.csv").read_text("utf-8-sig").splitlines()
print("sheet columns:", sheet[0])
print("passwords in the bundle:", any(line.rsplit(",", 1)[1] in readme for line in sheet[1:]))

# %% [markdown]
# Running it again with the same roster makes nothing: the class record (`class.json`)
# already knows every student. That is the rule that matters in a classroom — a
# certificate a student already installed must never be replaced behind their back.

# %% [markdown] lang=zh-CN
# 用同一份名单再运行一次，什么也不会生成：班级记录 (`class.json`) 已经认识每个学生。这是课堂上最要紧的规则——学生已经装好的证书，绝不能在他们不知情时被替换。

# %%
again = make_class(klass, rows, now_label="again")
print(f"{len(again.new)} new, {again.kept} kept")

# %% [markdown]
# ## 2. The class server and its roll call
#
# The class server is lesson 06's mutual-TLS server with a roll call attached: the roll
# call knows each student's certificate by its fingerprint, greets them by name, and
# keeps the time each first and last connected. The command is
# `pkilab serve DIR --mtls required --class`.

# %% [markdown] lang=zh-CN
# ## 2. 课堂服务器与签到表
#
# 课堂服务器就是第 06 课的双向认证 (mTLS) 服务器，加上一个签到表：签到表通过指纹
# (fingerprint) 认出每个学生的证书，按名字问候，并记下每人第一次和最后一次连接的时间。对应的命令是 `pkilab serve DIR --mtls required --class`。

# %%
rollcall = Rollcall(load_class(klass))
server = rollcall.server(klass, name="10 class")
server.start()


def student(stem):
    """A student's certificate and key, as request() takes them."""
    base = klass / "students" / stem / stem
    return {"cert": f"{base}.crt", "key": f"{base}.key"}


reply = request(server.url, ca=klass / "root.crt", **student("2026001"))
print(reply.status, reply.body.splitlines()[0])

# %% [markdown]
# A student's laptop is stolen: revoke the certificate. `revoke_student` puts it on the
# class's certificate revocation list, `crl.pem` (lesson 08: what nginx's `ssl_crl` and
# `openssl verify -crl_check` read), and marks it in `class.json`. The class server checks
# `class.json` itself, after the handshake, so that it can say *who* was refused: with the
# CRL inside OpenSSL's handshake, the refusal would come before the server learns whose
# certificate it was. The roll call reads the new `class.json` (the command-line server
# does that by itself when the file changes); the next connection with that certificate
# is refused with the reason, on the page and in the `X-Pkilab-Problem` header.

# %% [markdown] lang=zh-CN
# 某个学生的笔记本被偷了：吊销 (revoke) 这张证书。`revoke_student` 把它加入本班的证书吊销列表
# (CRL) `crl.pem`（第 08 课：nginx 的 `ssl_crl` 和 `openssl verify -crl_check` 读的就是它），并在
# `class.json` 里做标记。课堂服务器在握手之后自己检查 `class.json`，这样才能说出*是谁*被拒绝了：如果把 CRL 交给 OpenSSL 在握手中检查，拒绝会发生在服务器得知这是谁的证书之前。签到表读入新的
# `class.json`（命令行服务器在文件变化时会自动读取）；之后用这张证书的连接都会被拒绝，原因写在页面上和 `X-Pkilab-Problem` 响应头里。

# %%
if not load_class(klass).find("2026005").revoked:  # a cell run twice revokes once
    revoke_student(klass, "2026005", "keyCompromise")
rollcall.update(load_class(klass))
refused = request(server.url, ca=klass / "root.crt", **student("2026005"))
print(refused.status, refused.headers.get("x-pkilab-problem"))
what, why, fix = refused.body.splitlines()[1:4]
print(re.sub(r"\d{4}-\d\d-\d\d[ T][\d:.+]+", "DATE", what))  # the date of this run
print(fix)

# %% [markdown]
# And a student who brings a certificate from another class (another CA)? OpenSSL refuses
# it inside the handshake, before the server has seen whose it is. The roll call can only
# count such attempts by reason — the server's own words come from its event log:

# %% [markdown] lang=zh-CN
# 如果有学生拿着别的班（别的 CA）的证书来呢？OpenSSL 在握手 (handshake) 过程中就拒绝了它，服务器还没来得及知道这是谁的证书。签到表只能按原因统计这类尝试——原因取自服务器自己的事件日志：

# %%
other_class = build_certificate_set(clients=["王伟"])
try:
    request(server.url, ca=klass / "root.crt", cert=other_class.clients["王伟"])
except TLSConnectionError as exc:
    print("client side:", exc.code)
server.wait_idle()
for event in server.take_events():
    rollcall.observe(event)
print("server side:", dict(rollcall.unnamed))

# %% [markdown]
# The instructor's view is a page only the `instructor` certificate opens (`/instructor`
# in a browser with `instructor.p12`; `/instructor.csv` exports it, with the reason of each
# refusal). Here is the same table, without the clock times:

# %% [markdown] lang=zh-CN
# 老师的视图是一个只有 `instructor` 证书才能打开的页面（在导入了 `instructor.p12` 的浏览器里打开 `/instructor`；`/instructor.csv` 导出表格，并写明每次拒绝的原因）。下面是同一张表，省略了具体时间：

# %%
denied = request(server.url + "instructor", ca=klass / "root.crt", **student("2026001"))
print("a student asking for /instructor:", denied.status)
view = request(server.url + "instructor.csv", ca=klass / "root.crt",
               cert=klass / "instructor.crt", key=klass / "instructor.key")
print("the instructor:", view.status, view.body.splitlines()[0])
for row in rollcall.table():
    print(f"  {row['status']:<18} {row['name']:<12} ({row['file']}) "
          f"connections: {row['connections']}")

# %% [markdown]
# ## 3. The failure zoo
#
# Public "bad certificate" sites break when their own certificates expire. The zoo makes a
# new CA and every case's certificate when it starts, on loopback, each case on a port of
# its own: the cases differ in handshake settings, not just certificates (a client
# certificate request, TLS 1.0), and a port each keeps every case's settings its own and
# lets any client reach it as plain `https://localhost:PORT/`. Each line says what a
# correct client does:

# %% [markdown] lang=zh-CN
# 公共的“坏证书”网站常常因为自己的证书过期而失效。动物园每次启动时都在本机回环地址上新建一个
# CA，并重新签发每个案例的证书，每个案例占一个端口：案例之间的差别不只在证书上，还在握手设置上（是否要求客户端证书、TLS 1.0）；每个案例一个端口，各自的设置互不干扰，任何客户端都能直接用
# `https://localhost:PORT/` 访问。每行说明一个正确的客户端应该怎么做：

# %%
with Zoo(lab / "zoo") as zoo:
    for line in zoo.lines():
        print(line)

# %% [markdown]
# Now each case with Python's `ssl` (`create_default_context` with the zoo root, nothing
# else). A `!` would mark a client that did not do what the line says. Two cases add what
# they are about: `revoked` gets the zoo's CRL (without it, no client here notices), and
# `client-cert-wrong-ca` presents a certificate from another CA.

# %% [markdown] lang=zh-CN
# 现在用 Python 的 `ssl`（`create_default_context`，只信任动物园的根证书）逐个尝试。`!` 表示该客户端没有按那一行说的去做。有两个案例会额外提供相关材料：`revoked` 会拿到动物园的证书吊销列表 (CRL)（没有它，这里的客户端都发现不了），`client-cert-wrong-ca` 会出示一张别的 CA 签发的客户端证书。

# %%
with Zoo(lab / "zoo") as zoo:
    print(zoo_table(zoo, ["python-ssl"]))

# %% [markdown]
# The same cases with `curl` and `openssl s_client` beside Python. They agree on every
# case: all three use OpenSSL's verifier underneath, at the same security level. What
# differs is the wording, and what you must ask for: `openssl s_client` checks the host
# name only with `-verify_hostname`, and refuses a bad chain only with
# `-verify_return_error` — without them it prints the error and carries on.

# %% [markdown] lang=zh-CN
# 同样的案例，`curl` 和 `openssl s_client` 与 Python 并排。三者在每个案例上结论一致：它们底层都用 OpenSSL 的验证器，安全级别也相同。不同的是措辞，以及需要你显式要求的东西：
# `openssl s_client` 只有加 `-verify_hostname` 才检查主机名，只有加 `-verify_return_error` 才会因证书链错误而中止——不加的话，它打印错误后照样继续连接。

# %% tags=["needs-curl", "needs-openssl"]
with Zoo(lab / "zoo") as zoo:
    print(zoo_table(zoo, ["curl", "openssl"]))

# %% [markdown]
# ## Recap
#
# * `pkilab class` makes one class CA and, per student, a key, a certificate (CN = the
#   name as written, UID = the student id), a `.p12` with its own random password (never
#   in the bundle) and a bilingual README. File names are ASCII: the id, the name without
#   accents, or `student-NNN`.
# * Re-running adds students and never re-issues one: the files a student installed stay
#   byte-identical.
# * The class server knows students by their certificates. It names a revoked student
#   and says why; a certificate from another CA fails inside the handshake, so the
#   server only learns the reason, never the name.
# * The zoo is made fresh at every start, so its cases never break by accident. Python's
#   `ssl`, curl and openssl refuse the same cases; revocation is checked only when a
#   client is given the CRL.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * `pkilab class` 生成一个班级 CA，并为每个学生生成私钥、证书（CN 为原样的姓名，UID 为学号）、
#   带独立随机密码的 `.p12`（密码从不放进包里）和一份双语 README。文件名只用 ASCII：学号、去掉
#   重音的名字，或 `student-NNN`。
# * 重新运行只会添加学生，绝不重新签发：学生已经安装的文件逐字节保持不变。
# * 课堂服务器靠证书认出学生。对被吊销的学生，它能说出是谁、为什么；别的 CA 签发的证书在握手
#   阶段就失败了，服务器只知道原因，不知道是谁。
# * 动物园每次启动都重新生成，所以它的案例不会意外失效。Python 的 `ssl`、curl 和 openssl 拒绝的
#   是同样的案例；只有把 CRL 交给客户端，它才会检查吊销状态。

# %% [markdown]
# ## Exercise 1: a late student
#
# Mei Chen (student id 2026031) joins the class late. Add her to the roster and run
# `make_class` on `klass` again; keep what it returns in `late`. The check opens her zip,
# verifies her certificate against the class root, and compares every earlier student's
# files with the snapshot taken below.

# %% [markdown] lang=zh-CN
# ## 练习 1：迟到的学生
#
# Mei Chen（学号 2026031）晚到加入了这个班。把她加进名单，对 `klass` 再运行一次 `make_class`，把返回值存进 `late`。检查会打开她的 zip 包，用班级根证书验证她的证书，并把之前每个学生的文件与下面拍下的快照逐一比较。

# %%
before = l10.snapshot(klass)
late = None  # what make_class(klass, ...) returned
l10.late_student_check(late, klass, before)

# %% tags=["hide-cell"]
# Solution (own names, so that "Run All" leaves your answers alone)
solution_rows = read_roster((roster_text + "Mei Chen,,2026031\n").encode())
solution_late = make_class(klass, solution_rows, now_label="solution")
l10.late_student_check(solution_late, klass, before)

# %% [markdown]
# ## Exercise 2: let her in
#
# Give the roll call the new class record, then connect to `server` with the late
# student's certificate; keep what `request` returns in `mei_reply`. The check reads the
# server's answer and looks for her in the roll call, connected.

# %% [markdown] lang=zh-CN
# ## 练习 2：让她进来
#
# 把新的班级记录交给签到表，然后用这位迟到学生的证书连接 `server`，把 `request` 的返回值存进 `mei_reply`。检查会读取服务器的回答，并在签到表里找她，看她是否已连接。

# %%
mei_reply = None  # what request(server.url, ...) returned
l10.got_in_check(rollcall, mei_reply)

# %% tags=["hide-cell"]
# Solution: the roll call learns the new student from class.json, then she connects
rollcall.update(load_class(klass))
solution_reply = request(server.url, ca=klass / "root.crt",
                         **student(load_class(klass).find("2026031").stem))
print(solution_reply.body.splitlines()[0])
l10.got_in_check(rollcall, solution_reply)

# %% [markdown]
# Stop the class server:

# %% [markdown] lang=zh-CN
# 停止课堂服务器：

# %%
server.stop()
server
