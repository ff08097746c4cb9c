"""Public settings. Secrets live in instance/secure.py; any key can be
overridden with a FISHER_<KEY> environment variable."""

# Server started by `python fisher.py`
HOST = "127.0.0.1"
PORT = 5000
DEBUG = False

PROXY_FIX = False  # true behind nginx: trust X-Forwarded-For/-Proto from one proxy

# The site's public address, the origin of every absolute link (mail). None
# means http://HOST:PORT, the address `python fisher.py` serves.
SITE_URL = None
# Extra host names requests may use besides SITE_URL's and loopback.
TRUSTED_HOSTS = None

# Database: None means a SQLite file in the instance folder.
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 280}
# Every wait on the database is bounded (seconds): a database that stops
# answering ends the request with a 503 instead of holding a worker forever.
DATABASE_CONNECT_TIMEOUT = 5  # MySQL: opening a connection
DATABASE_READ_TIMEOUT = 10  # MySQL: waiting for the answer to one statement
DATABASE_WRITE_TIMEOUT = 10  # MySQL: sending one statement
DATABASE_POOL_TIMEOUT = 10  # MySQL: waiting for a free pooled connection
# Waiting for another unit of work's row lock (MySQL) or write lock (SQLite);
# keep it below the read timeout.
DATABASE_LOCK_WAIT_TIMEOUT = 5
DATABASE_DEADLOCK_RETRIES = 3  # reruns of a unit of work that lost a deadlock or a lock wait
HEALTHZ_TIMEOUT = 2  # /healthz connects afresh with this budget for every wait

# Books come from a chain of sources, asked in order: "local" (the book
# table: the bundled and imported catalog, and books people added), "yushu"
# (a Yushu-compatible API), "openlibrary", "googlebooks". None means
# ["local"], or ["local", "yushu"] when the older BOOK_SOURCE is "yushu".
# FISHER_BOOK_SOURCES='["local", "openlibrary", "googlebooks"]' in the environment.
BOOK_SOURCES = None
BOOK_SOURCE = "local"  # older single-source setting: "local" or "yushu"
BOOK_SEARCH_BUDGET = 6.0  # seconds a keyword search waits for the remote sources together
OPENLIBRARY_BASE_URL = "https://openlibrary.org"
OPENLIBRARY_COVERS_URL = "https://covers.openlibrary.org"
GOOGLE_BOOKS_BASE_URL = "https://www.googleapis.com"
GOOGLE_BOOKS_API_KEY = None  # optional; without one Google allows fewer requests a day
# HTTP limits of the Open Library and Google Books sources (the Yushu API has its own below).
BOOK_HTTP_CONNECT_TIMEOUT = 3.0
BOOK_HTTP_READ_TIMEOUT = 5.0
BOOK_HTTP_TOTAL_TIMEOUT = 8.0  # wall-clock budget for one answer
BOOK_HTTP_RETRIES = 1
BOOK_HTTP_MAX_BYTES = 2 * 1024 * 1024
YUSHU_API_BASE_URL = "http://t.talelin.com"
YUSHU_CONNECT_TIMEOUT = 3.0
YUSHU_READ_TIMEOUT = 5.0
YUSHU_TOTAL_TIMEOUT = 8.0  # wall-clock budget for one answer, however it trickles in
YUSHU_RETRIES = 2
YUSHU_MAX_BYTES = 2 * 1024 * 1024
LOAD_BUNDLED_CATALOG = True

PER_PAGE = 15
MAX_PAGE = 99
RECENT_BOOK_COUNT = 30
BEANS_UPLOAD_ONE_BOOK = 0.5

# Requests
MAX_CONTENT_LENGTH = 64 * 1024
WTF_CSRF_TIME_LIMIT = None

# Sessions and cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
PREFERRED_URL_SCHEME = "http"

# Bootstrap assets are served from the package, never a CDN.
BOOTSTRAP_SERVE_LOCAL = True

# Accounts
PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default (scrypt:32768:8:1)
RESET_TOKEN_MAX_AGE = 30 * 60  # seconds a password-reset link stays valid
EMAIL_CHANGE_TOKEN_MAX_AGE = 24 * 3600  # seconds a link confirming a new email address stays valid
EMAIL_VERIFY_TOKEN_MAX_AGE = 3 * 24 * 3600  # seconds a link verifying a new account's address stays valid
EMAIL_VERIFICATION = True  # new accounts get a link to verify their address; no notice mail until they do
VERIFY_RESEND_RATE_LIMIT = "3 per hour"  # verification mails asked for again, per account
LOGIN_RATE_LIMIT = "10 per minute"  # logins/resets per client address and per (account, address)
ACCOUNT_RATE_LIMIT = "50 per hour"  # password guesses (and resets) per account, from all addresses
REGISTER_RATE_LIMIT = "5 per hour"  # accounts made per client address
# The Yushu book API fisher answers (GET /v2/book/...), per client address.
YUSHU_API_RATE_LIMIT = "120 per minute"
# Personal access tokens (令牌) for /api/v1: how many live ones an account may
# have, and the requests per client address (counted before the token is checked).
API_TOKENS_MAX = 20
API_V1_RATE_LIMIT = "300 per minute"
# ... and the requests per token, wherever they come from.
API_V1_TOKEN_RATE_LIMIT = "120 per minute"
RATELIMIT_STORAGE_URI = "memory://"
# gunicorn refuses several workers on memory:// storage (each would count
# alone) unless this is true.
ALLOW_PER_WORKER_LIMITS = False
RATELIMIT_HEADERS_ENABLED = True

# Mail: with no MAIL_SERVER, messages are written to instance/outbox/ instead.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "鱼书 <noreply@fisher.local>"
MAIL_SUBJECT_PREFIX = "[鱼书]"
MAIL_TIMEOUT = 10
OUTBOX_DIR = None  # None means instance/outbox
# Every mail goes out from the job queue: a failed send is retried after
# MAIL_RETRY_DELAY seconds, doubling up to MAIL_RETRY_MAX_DELAY, until
# MAIL_MAX_ATTEMPTS; `flask mail failed` lists what was given up on.
MAIL_MAX_ATTEMPTS = 8
MAIL_RETRY_DELAY = 30
MAIL_RETRY_MAX_DELAY = 3600
MAIL_CLAIM_SECONDS = 300  # a send claimed longer ago than this was lost with its worker
MAIL_SWEEP_GRACE_SECONDS = 120  # a notice still due this long after its time had its job lost

# The job queue (Huey): None is a SQLite file in the instance folder;
# "redis://host:6379/1" shares one queue between instances (production).
JOBS_QUEUE = None
JOBS_WORKERS = 2  # worker threads of `flask jobs worker` and of `python fisher.py`
JOBS_SQLITE_TIMEOUT = 10
JOBS_IN_PROCESS = True  # `python fisher.py` also runs the queue's consumer

# Drift (鱼漂) deadlines, in days (fractions allowed: 0.01 is under 15 minutes).
DRIFT_RESPONSE_DAYS = 3  # the gifter answers a request, or it expires
DRIFT_MAIL_DAYS = 5  # the gifter mails an accepted request, or it expires
DRIFT_RECEIVE_DAYS = 21  # after mailing, receipt is confirmed automatically
DRIFT_REMINDER_LEAD_DAYS = 1  # the gifter is reminded this long before a deadline
DRIFT_RECEIVE_REMINDER_DAYS = (7, 14)  # the requester is asked "收到了吗？" after mailing
ADDRESS_RETENTION_DAYS = 30  # mailing details are erased this long after a drift closes

# Caching of book-source answers (Yushu API). SimpleCache is in-process; set
# CACHE_TYPE = "RedisCache" and CACHE_REDIS_URL to share it between instances.
CACHE_TYPE = "SimpleCache"
CACHE_DEFAULT_TIMEOUT = 300
CACHE_KEY_PREFIX = "fisher:"
CACHE_REDIS_URL = None
BOOK_CACHE_TTL = 3600  # seconds an API answer is served without asking again
BOOK_STALE_TTL = 7 * 24 * 3600  # how long a last good answer is kept for outages
PAGE_CACHE_TTL = 300  # seconds an unused cached page (home/search/book/about for visitors) is kept (0: off)
PAGE_CACHE_LOCAL_BYTES = 8 * 1024 * 1024  # each process's own copies of those pages (checked against the shared versions)

# Wish lists imported from a file (/personal/import): its size and how many books it may name.
WISH_IMPORT_MAX_BYTES = 1024 * 1024
WISH_IMPORT_MAX_LINES = 500
WISH_IMPORT_RATE_LIMIT = "10 per hour"  # imports per account (each may ask the book sources 500 times)

# Cover photos people upload with a book they add (decoded, re-encoded, at most 600 px).
COVER_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Covers: copies of book images kept on the site (instance/covers by default).
COVERS_DIR = None
COVER_MAX_BYTES = 1024 * 1024
COVER_TOTAL_TIMEOUT = 10.0  # wall-clock budget for one image, redirects included
COVER_MAX_REDIRECTS = 3
# Covers are fetched from public addresses only; list networks (CIDR) to allow
# besides, e.g. ["10.1.2.0/24"] for an image mirror inside your network.
COVER_ALLOWED_NETWORKS = []

# Languages and time. Chinese is the site's own language (the message ids);
# English is a translation in app/translations. Times are stored in UTC and
# shown in the account's time zone, else this one.
BABEL_DEFAULT_LOCALE = "zh"
BABEL_TRANSLATION_DIRECTORIES = "translations"  # under app/
DISPLAY_TIMEZONE = "Asia/Shanghai"
