# %% [markdown]
# # 00 · Start here
#
# Welcome to **pkilab**, a hands-on workbook about HTTPS, mutual TLS (mTLS) and the
# certificates behind them. It follows a popular Chinese tutorial, *HTTPS 单双向认证及证书相关*
# ("the seed"), section by section — and corrects it where today's tools disagree with it.
#
# **What you'll do:** check that the workbook runs here, see which optional tools this
# machine has, and learn how the lessons and exercises work.
#
# **What you'll learn:** the words the course uses, in English and 中文.
#
# **What you'll need:** nothing but this notebook. Run cells with <kbd>Shift</kbd>+<kbd>Enter</kbd>.

# %% [markdown] lang=zh-CN
# # 00 · 从这里开始
#
# 欢迎使用 **pkilab**——一本动手实践 HTTPS、双向认证（mutual TLS，mTLS）以及背后证书的练习册。它按章节跟随一篇流传很广的中文教程《HTTPS 单双向认证及证书相关》（下文称“原教程”），并在今天的工具与它说法不一致的地方加以纠正。
#
# **你将做什么：** 确认练习册能在这台机器上运行，看看这台机器装了哪些可选工具，了解课程和练习是怎么进行的。
#
# **你将学到什么：** 课程使用的术语，中英文对照。
#
# **你需要准备什么：** 只需要这个笔记本。用 <kbd>Shift</kbd>+<kbd>Enter</kbd> 运行单元格。

# %% [markdown]
# ## On Colab, or any Jupyter without pkilab
#
# The next cell installs pkilab where it is missing: on Colab, or a hosted Jupyter that
# opened this notebook on its own, it runs `%pip install` from the project's repository
# (about a minute). Where pkilab is already installed (`make lab`, Binder, `pip install`)
# it does nothing and prints nothing. If a later cell cannot import something after the
# install, restart the kernel (Colab: *Runtime → Restart session*) and run again.
#
# The other lessons come with the package: `pkilab lessons DIR` copies them into a folder
# of your own (`--lang zh-CN` for the Chinese edition); open them from there. It never
# replaces a lesson you have changed unless you add `--force`.

# %% [markdown] lang=zh-CN
# ## 在 Colab 或没有装 pkilab 的 Jupyter 里
#
# 下一个单元格会在缺少 pkilab 时安装它：在 Colab 上，或者在单独打开这个笔记本的托管 Jupyter 里，它会用 `%pip install` 从项目仓库安装（大约一分钟）。如果 pkilab 已经装好（`make lab`、Binder 或 `pip install`），它什么也不做，也不打印任何内容。如果安装之后后面的单元格提示无法导入某个模块，请重启内核（Colab：*代码执行程序 → 重启会话*，英文界面为 *Runtime → Restart session*）再运行一遍。
#
# 其他课程随包一起安装：`pkilab lessons DIR` 会把它们复制到你自己的文件夹里（加 `--lang zh-CN` 得到中文版），再从那里打开。你改过的课程文件不会被覆盖，除非加上 `--force`。

# %% tags=["install-pkilab"]
# pkilab missing (Colab, a hosted Jupyter)? Install it from the repository; else nothing
import importlib.util

if importlib.util.find_spec("pkilab") is None:
    from IPython import get_ipython

    get_ipython().run_line_magic(
        "pip", 'install --quiet "pkilab[notebook] @ git+https://github.com/pkilab/pkilab"')
    importlib.invalidate_caches()  # so the import below finds what pip just put there

# %% [markdown]
# ## How the workbook works
#
# * Every lesson is stored **with its outputs**: you can read it first and run it after.
#   When you run a cell, you should see exactly what is printed below it.
# * Every step done with the `pkilab` Python package is shown next to the **openssl**
#   (or `curl`, `keytool`) command that does the same thing. Where the tool is installed,
#   the lesson runs it too, so you can compare.
# * Each lesson writes its files into its own folder, `notebooks/_lab/NN/`. Open it in the
#   file browser on the left to see the keys and certificates you make.
# * Lessons end with **exercises**. A `check...(...)` call tells you at once whether your
#   answer is right, and if not, what is still wrong. It looks at what you made (your key,
#   your certificate), not at a fixed answer. The solution is in the collapsed cell below
#   it (click the `…` to open it); it uses its own variable names, so "Run All" never
#   overwrites your answers.
# * **Dates are fixed.** Every lesson certificate is dated from 1 January 2026 and valid
#   until 1 January 2046, so your run prints the same dates and verdicts as the stored
#   notebook, whatever today's date is. Where a lesson prints something that depends on
#   the day itself (days left, expired or not), it checks at one fixed moment,
#   **1 December 2026** (`pkilab.lesson.CHECKED_AT`), and says so. Real certificates
#   are random and short-lived; lesson 03 says how short.
# * Cells that run `openssl`, `curl`, `keytool` or `nginx` say so in their tag
#   (`needs-openssl`, ...). Without the tool they print "not installed" and the lesson
#   goes on.
#
# The package is called `pkilab`. Importing it is cheap and has no side effects:

# %% [markdown] lang=zh-CN
# ## 练习册怎么用
#
# * 每一课都**连同输出一起**保存：你可以先读，再运行。运行某个单元格时，你看到的输出应当和下面保存的完全一样。
# * 每一步用 `pkilab` Python 包完成的操作，旁边都列出做同样事情的 **openssl**（或 `curl`、`keytool`）命令。如果装了这个工具，课程也会运行它，方便你对照。
# * 每一课把文件写进自己的文件夹 `_lab/NN/`（中文版在 `notebooks/zh-CN/_lab/NN/`，英文版在 `notebooks/_lab/NN/`，两者互不干扰）。在左侧的文件浏览器里打开它，就能看到你生成的密钥和证书。
# * 每一课最后都有**练习**。调用 `check...(...)` 会立刻告诉你答案对不对，不对的话还差什么。它检查的是你实际做出来的东西（你的密钥、你的证书），而不是对照一个固定答案。答案在下方折叠起来的单元格里（点击 `…` 展开）；答案用的是自己的变量名，所以“全部运行”（Run All）不会覆盖你的答案。
# * **日期是固定的。** 课程里的每张证书都从 2026 年 1 月 1 日起、到 2046 年 1 月 1 日止有效，所以无论今天是哪天，你运行时打印的日期和结论都与保存的笔记本一致。凡是取决于“今天”的输出（还剩几天、是否过期），课程都在一个固定时刻 **2026 年 12 月 1 日**（`pkilab.lesson.CHECKED_AT`）检查，并会注明。真实的证书是随机生成的，而且有效期很短；第 03 课会讲具体有多短。
# * 运行 `openssl`、`curl`、`keytool` 或 `nginx` 的单元格会在标签里注明（`needs-openssl` 等）。没有装这个工具时，它会打印“not installed”，课程照常继续。
#
# 这个包叫 `pkilab`。导入它开销很小，也没有副作用（中文版的第一个代码单元格还会调用 `pkilab.set_language("zh")`，让 pkilab 的提示、检查结果和图表都使用中文）：

# %%
import pkilab

print("pkilab", pkilab.__version__)

# %% [markdown]
# ## Which tools does this machine have?
#
# The lessons use `openssl` (certificates), `curl` (HTTP client), `keytool` (Java keystores)
# and `nginx` (web server) to cross-check pkilab's files. None is required: a lesson says
# when it skips a step. (This cell's output depends on your machine, so CI does not compare it.)

# %% [markdown] lang=zh-CN
# ## 这台机器有哪些工具？
#
# 课程用 `openssl`（证书）、`curl`（HTTP 客户端）、`keytool`（Java 密钥库）和 `nginx`（Web 服务器）来交叉验证 pkilab 生成的文件。这些都不是必需的：跳过某一步时，课程会说明。（这个单元格的输出取决于你的机器，所以 CI 不比较它。）

# %% tags=["nbval-ignore-output"]
from pkilab.lesson import tool_table

print(tool_table())

# %% [markdown]
# ## The lessons
#
# | lesson | topic | seed section |
# |---|---|---|
# | 01 | keys and certificates: what is inside an X.509 certificate | CA 证书和私钥, X.509 |
# | 02 | certificate signing requests and the self-signed root CA | 证书请求, 自签名根证书 |
# | 03 | the chain root → intermediate1 → intermediate2 → server | 证书链 |
# | 04 | formats: PEM, DER, PKCS#12, JKS, PKCS#7 | 证书格式 |
# | 05 | one-way TLS: a real HTTPS server and client, the handshake recorded | HTTPS 单向认证 |
# | 06 | mutual TLS: client certificates, curl, what goes wrong | HTTPS 双向认证 |
# | 07 | deploying: nginx and Kubernetes, checked with curl | 服务器配置示例 (Nginx), K8S |

# %% [markdown] lang=zh-CN
# ## 课程列表
#
# | 课 | 主题 | 原教程章节 |
# |---|---|---|
# | 01 | 密钥和证书：X.509 证书里有什么 | CA 证书和私钥, X.509 |
# | 02 | 证书签名请求与自签名根 CA | 证书请求, 自签名根证书 |
# | 03 | 证书链 root → intermediate1 → intermediate2 → server | 证书链 |
# | 04 | 格式：PEM、DER、PKCS#12、JKS、PKCS#7 | 证书格式 |
# | 05 | 单向认证：真实的 HTTPS 服务器和客户端，记录下握手过程 | HTTPS 单向认证 |
# | 06 | 双向认证：客户端证书、curl，以及会出哪些错 | HTTPS 双向认证 |
# | 07 | 部署：nginx 和 Kubernetes，用 curl 检验 | 服务器配置示例 (Nginx), K8S |

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 (as in the seed) | in one line |
# |---|---|---|
# | certificate authority (CA) | 证书颁发机构 / CA 机构 | who signs certificates; trusted because its root is in your trust store |
# | root certificate | 根证书 | a CA certificate signed by its own key (self-signed); the top of a chain |
# | intermediate certificate | 中间证书 / 子 CA 证书 | a CA certificate signed by the root or another intermediate |
# | end-entity (leaf) certificate | 终端用户证书 | the server's or client's own certificate |
# | private key | 私钥 (`.key`) | kept secret by its owner; makes signatures |
# | public key | 公钥 | inside the certificate; checks those signatures |
# | certificate signing request (CSR) | 证书请求 (`.csr`) | "please certify this public key for this name", signed by the requester |
# | self-signed | 自签名 | issuer = subject, signed with its own key |
# | certificate chain | 证书链 | leaf → intermediates → root, each signed by the next |
# | full chain | 完整的证书链文件 (`fullchain.crt`) | what a server sends: its certificate, then the intermediates |
# | trust store | 受信任的证书存储 | the roots a client (or server) trusts |
# | subject / issuer | 主题 / 签发者 | who the certificate is about / who signed it |
# | Common Name (CN) | 通用名称 | one field of a name; browsers ignore it for host names; Python and curl still fall back to it when a certificate has no SAN (lesson 03) |
# | subjectAltName (SAN) | 使用者可选名称 | the host names and IPs a certificate is valid for — what clients check |
# | one-way TLS | 单向认证 | only the server proves who it is |
# | mutual TLS (mTLS) | 双向认证 | the client proves who it is too, with a client certificate |
# | handshake | 握手 | the messages that set up a TLS connection |
# | PEM / DER | PEM / DER 编码 | text (base64 with BEGIN/END lines) / binary encodings of the same data |
# | PKCS#12 (.p12, .pfx) | PFX/PKCS12 | a password-protected bundle of key + certificate (+ chain) |
# | JKS | JKS | Java's older keystore format |

# %% [markdown] lang=zh-CN
# ## 术语表 · Glossary
#
# | 中文 | English | 一句话解释 |
# |---|---|---|
# | 证书颁发机构（CA） | certificate authority | 签发证书的机构；之所以被信任，是因为它的根证书在你的信任库里 |
# | 根证书 | root certificate | 用自己的私钥签名（自签名）的 CA 证书；证书链的顶端 |
# | 中间证书（原教程也叫“子 CA 证书”） | intermediate certificate | 由根证书或另一张中间证书签发的 CA 证书 |
# | 终端实体证书（叶子证书，原教程叫“终端用户证书”） | end-entity (leaf) certificate | 服务器或客户端自己的证书 |
# | 私钥 | private key (`.key`) | 由持有者保密；用来签名 |
# | 公钥 | public key | 放在证书里；用来验证这些签名 |
# | 证书签名请求（CSR，原教程叫“证书请求”） | certificate signing request (`.csr`) | “请为这个名字认证这把公钥”，由申请者签名 |
# | 自签名 | self-signed | 签发者 = 主体，用自己的私钥签名 |
# | 证书链 | certificate chain | 叶子证书 → 中间证书 → 根证书，每一张都由下一张签发 |
# | 完整证书链文件 | full chain (`fullchain.crt`) | 服务器发送的内容：它自己的证书，后面跟着中间证书 |
# | 信任库 | trust store | 客户端（或服务器）信任的根证书 |
# | 主体 / 签发者 | subject / issuer | 证书是关于谁的 / 谁签发了它 |
# | 通用名称（CN） | Common Name | 名称里的一个字段；浏览器匹配主机名时忽略它；证书没有 SAN 时，Python 和 curl 仍会退回去用它（第 03 课） |
# | 使用者可选名称（SAN） | subjectAltName | 证书对哪些主机名和 IP 有效——客户端检查的正是它 |
# | 单向认证 | one-way TLS | 只有服务器证明自己的身份 |
# | 双向认证 | mutual TLS (mTLS) | 客户端也用客户端证书证明自己的身份 |
# | 握手 | handshake | 建立 TLS 连接时交换的那些消息 |
# | PEM / DER 编码 | PEM / DER | 同一份数据的文本编码（带 BEGIN/END 行的 base64）/ 二进制编码 |
# | PFX/PKCS12 | PKCS#12 (.p12, .pfx) | 用密码保护的“私钥 + 证书（+ 证书链）”打包文件 |
# | JKS | JKS | Java 较早的密钥库格式 |
# | 吊销 / 证书吊销列表（CRL） | revocation / certificate revocation list | 在到期之前宣布一张证书作废 / CA 发布的作废证书清单 |
# | 密钥交换 | key exchange | 握手中双方协商出会话密钥的那一步（如今是 ECDHE） |

# %% [markdown]
# ## Where the seed is wrong (and what these lessons do instead)
#
# | the seed says or does | today | lesson |
# |---|---|---|
# | `openssl genrsa ... 1024` | 1024-bit RSA is within reach of well-funded attackers and refused by TLS at OpenSSL security level 2 (Python's default); use EC P-256 (or RSA ≥ 2048) | 01 |
# | server certificate without subjectAltName | browsers match host names against the SAN only; Python's `ssl` (`hostname_checks_common_name` is True) and curl still fall back to the CN when there is no SAN, and pkilab's own client does not — don't rely on the CN | 03 |
# | "CA 私钥用于签发和验证其他证书" (the CA key signs *and verifies*) | the private key only signs; anyone verifies with the CA's **public** key, which is in its certificate | 01 |
# | "CSR 是...加密文本" (a CSR is encrypted text) | a CSR is *signed*, not encrypted: anyone can read it; the signature proves the requester holds the key | 02 |
# | the heading "自签名服务端证书" (self-signed server certificate) | the server certificate in that section is signed by the root CA, not by itself | 02 |
# | `openssl x509 -req -signkey ... -CA ...` | OpenSSL 3 refuses `-signkey` together with `-CA`; the recipe writes no certificate | 02 |
# | intermediates from plain `openssl x509 -req` | no `CA:TRUE` (and on OpenSSL 3.0 and 3.1, a version 1 certificate): every verifier rejects the chain | 03 |
# | `curl -k` | turns verification off: it would accept any attacker's certificate; use `--cacert root.crt` | 05, 06 |
# | "the client encrypts a random key R with the server's public key" | TLS 1.3 (and modern TLS 1.2) use an ephemeral (EC)DHE key exchange; the certificate key only signs | 05 |
# | "the server decrypts the client certificate with root.crt" | certificates are not encrypted; the server checks the client certificate's signature chain against the CA it trusts | 06 |
#
# The seed's list of public CAs (Let's Encrypt, DigiCert, Sectigo, GlobalSign, GoDaddy,
# Entrust) is out of date in two ways that matter here:
#
# * **Let's Encrypt stopped issuing certificates with the `clientAuth` usage in 2026**:
#   its certificates are for servers only. Client certificates for mutual TLS come from a
#   *private* CA — exactly the `root.crt` the seed builds, and lessons 02–06 build.
# * **Chrome and Mozilla distrust Entrust's TLS server certificates issued after November
#   2024** (Chrome: after 11 November 2024; Mozilla: after 30 November 2024), after
#   years of compliance failures; older ones run until they expire. Lists of "well-known
#   CAs" age; what a client trusts is what its trust store holds.

# %% [markdown] lang=zh-CN
# ## 原教程哪里错了（以及这些课程怎么做）
#
# | 原教程的说法或做法 | 今天的情况 | 课 |
# |---|---|---|
# | `openssl genrsa ... 1024` | 1024 位 RSA 已在资金充足的攻击者能力范围之内，OpenSSL 安全级别 2（Python 的默认值）下的 TLS 也会拒绝它；请用 EC P-256（或 ≥ 2048 位的 RSA） | 01 |
# | 服务器证书没有 subjectAltName | 浏览器只用 SAN 匹配主机名；没有 SAN 时，Python 的 `ssl`（`hostname_checks_common_name` 为 True）和 curl 仍会退回去用 CN，而 pkilab 自己的客户端不会——不要依赖 CN | 03 |
# | “CA 私钥用于签发和验证其他证书” | 私钥只用来签名；任何人都用 CA 的**公钥**来验证，而公钥就在 CA 证书里 | 01 |
# | “CSR 是...加密文本” | CSR 是*签了名*的，不是加密的：任何人都能读；签名证明申请者持有对应的私钥 | 02 |
# | 标题“自签名服务端证书” | 那一节里的服务器证书是由根 CA 签发的，不是自己签自己 | 02 |
# | `openssl x509 -req -signkey ... -CA ...` | OpenSSL 3 拒绝同时使用 `-signkey` 和 `-CA`；照这个命令做，什么证书也生成不了 | 02 |
# | 直接用 `openssl x509 -req` 生成的中间证书 | 没有 `CA:TRUE`（在 OpenSSL 3.0 和 3.1 上还是第 1 版证书）：所有验证器都会拒绝这条证书链 | 03 |
# | `curl -k` | 关掉了验证：任何攻击者的证书都会被接受；请用 `--cacert root.crt` | 05, 06 |
# | “客户端用服务器的公钥加密一个随机密钥 R” | TLS 1.3（以及现代的 TLS 1.2）使用临时（EC）DHE 密钥交换；证书里的密钥只用来签名 | 05 |
# | “服务器用 root.crt 解密客户端证书” | 证书并没有加密；服务器是根据它信任的 CA 去检查客户端证书的签名链 | 06 |
#
# 原教程列出的公共 CA（Let's Encrypt、DigiCert、Sectigo、GlobalSign、GoDaddy、Entrust）在两个与本课程相关的方面已经过时：
#
# * **Let's Encrypt 在 2026 年停止签发带 `clientAuth` 用途的证书**：它的证书只用于服务器。双向认证用的客户端证书来自*私有* CA——正是原教程搭建、第 02–06 课也会搭建的那个 `root.crt`。
# * **Chrome 和 Mozilla 不再信任 Entrust 在 2024 年 11 月之后签发的 TLS 服务器证书**（Chrome：2024 年 11 月 11 日之后；Mozilla：2024 年 11 月 30 日之后），原因是多年来屡次不合规；更早签发的证书可以用到过期。“知名 CA”的名单会过时；客户端信任什么，取决于它的信任库里有什么。

# %% [markdown]
# ## Exercise: your first check
#
# Exercises look like this. Set `answer` to the seed's name for the file that a server
# sends so that clients can build the chain (hint: it holds the server certificate and the
# intermediates). The check compares a fingerprint of your answer, so the answer itself is
# not written in this notebook.

# %% [markdown] lang=zh-CN
# ## 练习：你的第一次检查
#
# 练习就是这个样子。把 `answer` 设为原教程里这样一个文件的名字：服务器发送它，好让客户端能构建出证书链（提示：它包含服务器证书和中间证书）。检查时比较的是你答案的指纹，所以答案本身并没有写在这个笔记本里。

# %%
from pkilab.lesson import check_answer

answer = None  # your answer here, e.g. "something.crt"
check_answer(answer, "64a5b85a46277760", "look at the glossary row 'full chain'")

# %% tags=["hide-cell"]
# Solution (its own name: running every cell keeps your answer)
solution_answer = "fullchain.crt"
check_answer(solution_answer, "64a5b85a46277760", "look at the glossary row 'full chain'")

# %% [markdown]
# ## Exercise: one-way or mutual?
#
# In which kind of TLS does the **client** send a certificate? Set `who_sends` to
# `"one-way"` or `"mutual"`.

# %% [markdown] lang=zh-CN
# ## 练习：单向还是双向？
#
# 在哪一种 TLS 里，**客户端**要发送证书？把 `who_sends` 设为 `"one-way"`（单向）或 `"mutual"`（双向）。

# %%
who_sends = None  # "one-way" or "mutual"
check_answer(who_sends, "8d8752e36fab151d", "in one-way TLS only the server proves who it is")

# %% tags=["hide-cell"]
# Solution
solution_who_sends = "mutual"
check_answer(solution_who_sends, "8d8752e36fab151d",
             "in one-way TLS only the server proves who it is")

# %% [markdown]
# ## Recap
#
# * Lessons are stored with outputs; run them top to bottom.
# * Each pkilab step has its openssl twin beside it.
# * Files go to `notebooks/_lab/NN/`; exercises check what you made.
# * Lesson certificates run from 2026-01-01 to 2046-01-01, checked at 2026-12-01.
#
# Next: **01 · keys and certificates**.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 课程连同输出一起保存；从上到下依次运行。
# * pkilab 的每一步旁边都有对应的 openssl 命令。
# * 文件写进 `_lab/NN/`；练习检查的是你做出来的东西。
# * 课程证书的有效期是 2026-01-01 到 2046-01-01，检查时刻为 2026-12-01。
#
# 下一课：**01 · 密钥和证书**。


# %% [markdown]
# ## Appendix A · The Chinese edition and its fonts
#
# Every lesson also exists in Simplified Chinese, built from the same source with the same
# code: `notebooks/zh-CN/`. There, pkilab's explanations, the checks' ✅/❌ lines and the
# pictures' labels are in Chinese (`pkilab.set_language("zh")`; on the command line
# `pkilab --lang zh ...` or `LANG=zh_CN.UTF-8`).
#
# The Chinese pictures need a font with Chinese characters: on Debian or Ubuntu
# `sudo apt-get install fonts-noto-cjk` (Fedora: `sudo dnf install google-noto-sans-cjk-fonts`);
# Windows (Microsoft YaHei) and macOS (PingFang SC) have one already. Restart the kernel
# after installing. Without such a font the pictures keep English labels and say so in a
# note under the cell, rather than drawing empty boxes.
#
# ## Appendix B · For readers in China
#
# **Cloud load balancers and mTLS.** The files these lessons make are the ones the
# consoles ask for:
#
# | where | field in the console | the lessons' file |
# |---|---|---|
# | Alibaba Cloud ALB (Standard or WAF edition; HTTPS listeners only) and CLB, HTTPS listener with 双向认证 | server certificate: certificate + private key | `fullchain.crt` (server certificate followed by the intermediates, lesson 03) and `server.key` |
# | same | CA certificate that verifies clients | the CA that issued the client certificates: `root.crt`, or the bundle `client-ca.crt` with the intermediates (lesson 07) |
# | Tencent Cloud EdgeOne, a domain's HTTPS settings, "edge mTLS" (边缘双向认证) | the client CA certificate (uploaded to the Tencent Cloud SSL certificate console; one per domain) | `root.crt` / `client-ca.crt`, as above |
# | your clients | client certificate and key | `client.crt` + `client.key`, or `client.p12` (lesson 04) |
#
# The load balancer ends the TLS connection: the servers behind it see no client
# certificate unless it forwards one, so the access decision is the load balancer's.
#
# **国密 / SM2 certificates.** China's commercial cryptography standards define SM2
# (elliptic-curve signatures and key exchange), SM3 (hash) and SM4 (cipher), and TLCP
# (GB/T 38636-2020), a TLS-like protocol in which a server has *two* SM2 certificates, one
# for signing and one for key exchange. Systems that must pass a commercial-cryptography
# assessment (密评), typically government, finance and other critical infrastructure, are
# required to use them. This workbook does not: OpenSSL 3.0 (this machine's) has the SM2
# and SM3 algorithms but no TLCP and no SM cipher suites in TLS; Python's `cryptography`
# cannot make SM2 certificates; and Chrome, Firefox and Safari do not negotiate them
# (Chinese "国密" browser builds and libraries such as Tongsuo do). On EdgeOne, a domain
# with an SM2 server certificate needs an SM2 client CA too.
#
# **Error messages, and the lesson that explains each.**
#
# | you see | it means | lesson |
# |---|---|---|
# | `unable to get local issuer certificate` (证书链不完整) | the server sent `server.crt` without its intermediates, or the certificate comes from a CA you do not trust | 03 (§4), 05 |
# | nginx: `400 No required SSL certificate was sent` | `ssl_verify_client on` and the client sent no certificate | 06, 07 |
# | Java: `PKIX path building failed ... unable to find valid certification path` | the root is not in the Java truststore | 04 (§4, `truststore.jks`) |
# | importing a `.p12` says the password is wrong (“密码错误”) when it is right | an AES-encrypted PKCS#12 file and an older reader (or Apple's) | 04 (the legacy option) |
# | nginx: client certificates from an intermediate refused; `ssl_verify_depth` | nginx's default depth 1 allows one intermediate; the lessons' chain needs 2 | 06, 07 (§4) |

# %% [markdown] lang=zh-CN
# ## 附录 A · 中文版及其字体
#
# 每一课都有简体中文版，与英文版出自同一份源文件、代码完全相同：`notebooks/zh-CN/`。在中文版里，pkilab 的解释、检查结果的 ✅/❌ 提示以及图中的标签都是中文（`pkilab.set_language("zh")`；命令行里用 `pkilab --lang zh ...` 或 `LANG=zh_CN.UTF-8`）。
#
# 中文图片需要一个含中文字形的字体：Debian 或 Ubuntu 上运行 `sudo apt-get install fonts-noto-cjk`（Fedora：`sudo dnf install google-noto-sans-cjk-fonts`）；Windows（微软雅黑）和 macOS（苹方）自带这样的字体。安装后请重启内核。没有这种字体时，图片会保留英文标签，并在单元格下方加一条说明，而不会画出一个个空方框（俗称“豆腐块”）。
#
# ## 附录 B · 写给国内读者
#
# **云负载均衡与双向认证。** 这些课程生成的文件，正是各家控制台要你上传的文件：
#
# | 在哪里 | 控制台里的字段 | 课程里的文件 |
# |---|---|---|
# | 阿里云 ALB（标准版或 WAF 增强版；仅 HTTPS 监听）和 CLB，开启双向认证的 HTTPS 监听 | 服务器证书：证书 + 私钥 | `fullchain.crt`（服务器证书后面跟着中间证书，第 03 课）和 `server.key` |
# | 同上 | 用来验证客户端的 CA 证书 | 签发客户端证书的 CA：`root.crt`，或者带中间证书的 `client-ca.crt`（第 07 课） |
# | 腾讯云 EdgeOne，域名的 HTTPS 配置，“边缘双向认证” | 客户端 CA 证书（先上传到腾讯云 SSL 证书控制台；每个域名一个） | 同上，`root.crt` / `client-ca.crt` |
# | 你的客户端 | 客户端证书和私钥 | `client.crt` + `client.key`，或 `client.p12`（第 04 课） |
#
# TLS 连接在负载均衡器上终止：除非它把客户端证书转发下去，后面的服务器根本看不到客户端证书，所以放行与否由负载均衡器决定。
#
# **国密 / SM2 证书。** 我国的商用密码标准定义了 SM2（椭圆曲线签名与密钥交换）、SM3（哈希）和 SM4（分组密码），以及 TLCP（GB/T 38636-2020）——一种类似 TLS 的协议，其中服务器有*两张* SM2 证书：一张用于签名，一张用于密钥交换。需要通过商用密码应用安全性评估（密评）的系统，通常是政务、金融等关键信息基础设施，必须使用它们。本练习册不使用：OpenSSL 3.0（本机的版本）有 SM2 和 SM3 算法，但没有 TLCP，TLS 里也没有国密密码套件；Python 的 `cryptography` 不能生成 SM2 证书；Chrome、Firefox 和 Safari 也不会协商国密算法（国密版浏览器和铜锁 Tongsuo 等库才支持）。在 EdgeOne 上，使用 SM2 服务器证书的域名，其客户端 CA 证书也必须是国密证书。
#
# **常见报错，以及讲解它的那一课。**
#
# | 你看到的 | 意思是 | 课 |
# |---|---|---|
# | `unable to get local issuer certificate`（证书链不完整） | 服务器只发送了 `server.crt`，没带中间证书；或者证书来自你不信任的 CA | 03（第 4 节）、05 |
# | nginx：`400 No required SSL certificate was sent` | 配置了 `ssl_verify_client on`，而客户端没有发送证书 | 06、07 |
# | Java：`PKIX path building failed ... unable to find valid certification path` | 根证书不在 Java 信任库（truststore）里 | 04（第 4 节，`truststore.jks`） |
# | 导入 `.p12` 时提示“密码错误”，而密码明明是对的 | AES 加密的 PKCS#12 文件遇上较老的读取程序（或苹果系统） | 04（legacy 选项） |
# | nginx：由中间证书签发的客户端证书被拒绝；`ssl_verify_depth` | nginx 默认深度为 1，只允许一层中间证书；课程的证书链需要 2 | 06、07（第 4 节） |
