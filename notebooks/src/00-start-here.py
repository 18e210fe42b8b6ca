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

# %%
import pkilab

print("pkilab", pkilab.__version__)

# %% [markdown]
# ## Which tools does this machine have?
#
# The lessons use `openssl` (certificates), `curl` (HTTP client), `keytool` (Java keystores)
# and `nginx` (web server) to cross-check pkilab's files. None is required: a lesson says
# when it skips a step. (This cell's output depends on your machine, so CI does not compare it.)

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

# %% [markdown]
# ## Exercise: your first check
#
# Exercises look like this. Set `answer` to the seed's name for the file that a server
# sends so that clients can build the chain (hint: it holds the server certificate and the
# intermediates). The check compares a fingerprint of your answer, so the answer itself is
# not written in this notebook.

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
