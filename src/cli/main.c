/*
 * main.c — the `accord` command: global options, dispatch to subcommands,
 * and `accord help`.  Each subcommand lives in its own cmd_*.c file and is
 * a thin layer over the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"

#ifndef ACCORD_VERSION
#define ACCORD_VERSION "0"
#endif

static int cmd_help(acc_cli *g, int argc, char **argv);

#define COMMON_OPTS                                                            \
  "Common options (before or after COMMAND):\n"                                \
  "  -d, --data DIR   data directory (default $ACCORD_DATA or "                \
  "./accord-data)\n"                                                           \
  "      --json       machine-readable output\n"                               \
  "  -q, --quiet      no progress bar or summary on stderr\n"                  \
  "Reads (export, get, list) act for the instance operator, who sees\n"        \
  "everything, or with --as USER for that user under the sharing policy;\n"    \
  "every release and denial is written to DIR/audit.log.\n"

const acc_cmd acc_commands[] = {
    {"init", acc_cmd_init, "create a data directory and its store",
     "usage: accord init [DIR]\n"
     "Create DIR (default: the data directory) and an empty store in it.\n"
     "Running it on an existing store is harmless: it only applies schema\n"
     "migrations.\n"},
    {"import", acc_cmd_import, "import STIX from files or stdin",
     "usage: accord import [--strict] [--max-bytes N] [--max-depth N]\n"
     "                     [--batch N] [--verbose] [--collection C]\n"
     "                     FILE|- ...\n"
     "Read STIX 2.1 (or 2.0) content: a bundle, a TAXII envelope, a JSON\n"
     "array of objects, JSON lines, or one object.  Each object is validated\n"
     "and stored with its exact bytes; an exact duplicate is a no-op.\n"
     "  --strict        each file is all-or-nothing\n"
     "  --max-bytes N   refuse documents larger than N bytes (default 1 GiB;\n"
     "                  suffixes K, M, G)\n"
     "  --max-depth N   refuse nesting deeper than N (default 64)\n"
     "  --batch N       objects per transaction (default 50000)\n"
     "  --collection C  the collection (UUID or alias) to add to (default:\n"
     "                  the default collection)\n"
     "  --tlp LEVEL     mark objects that carry no TLP marking (clear,\n"
     "                  green, amber, amber+strict, red)\n"
     "  --share-with ORG  name ORG as a recipient of objects that name\n"
     "                  none (repeatable); --share-with-user USER likewise\n"
     "                  for TLP:RED\n"
     "  --as USER       record USER (and their organisation) as the\n"
     "                  originator\n"
     "Objects changed by --tlp or --share-with are stored as rewritten\n"
     "(compact JSON, same id and modified).\n"
     "  --verbose       print every rejection and warning (default: the\n"
     "                  first 20 of each per file)\n"
     "Exit status: 0 all stored or duplicate; 1 some objects rejected;\n"
     "3 a file could not be read or was refused whole; 4 store error.\n"},
    {"export", acc_cmd_export, "write stored objects as a bundle or lines",
     "usage: accord export [--format bundle|lines] [--type T]... [--id ID]...\n"
     "                     [--added-after TS] [--all-versions] [-o FILE]\n"
     "                     [--collection C] [--as USER]\n"
     "Write the latest version of each matching object (every version with\n"
     "--all-versions) in date_added order.  In a bundle each object is\n"
     "written with exactly the bytes it was imported with; in JSON lines, an\n"
     "object imported over several lines has its line breaks turned into\n"
     "spaces (same JSON, one line).\n"},
    {"get", acc_cmd_get, "print one object",
     "usage: accord get ID [--version TIMESTAMP] [--collection C] [--as USER]\n"
     "                 [--provenance]\n"
     "Print the latest version of ID, or the version whose 'modified' is\n"
     "TIMESTAMP, exactly as it was imported (from any collection unless\n"
     "--collection is given).  Exit status 1 if absent.\n"
     "--provenance prints instead, for each stored version, where it came\n"
     "from: the federation peer and when it was received, or 'added here'.\n"},
    {"list", acc_cmd_list, "list stored objects",
     "usage: accord list [--type T]... [--limit N] [--all-versions]\n"
     "                   [--collection C] [--as USER]\n"
     "List objects (latest versions unless --all-versions) in date_added\n"
     "order: date added, type, id, modified, name.  With --json, one JSON\n"
     "object per line.\n"},
    {"stats", acc_cmd_stats, "summarise the store",
     "usage: accord stats\n"
     "Objects, versions, revoked objects, STIX 2.0 content, size, and\n"
     "counts per type.\n"},
    {"check", acc_cmd_check, "verify the store's integrity",
     "usage: accord check\n"
     "Run the storage engine's integrity check and verify the store's own\n"
     "invariants (one latest version per object, strictly increasing\n"
     "date_added, ...).  Exit status 4 when damaged.\n"},
    {"generate", acc_cmd_generate, "write demo or synthetic STIX",
     "usage: accord generate demo [--lines] [--seed N] [-o FILE]\n"
     "       accord generate synthetic --count N [--lines] [--seed N] "
     "[-o FILE]\n"
     "       accord generate extensions [-o FILE]\n"
     "Write the built-in demo scenario, or N synthetic objects for load\n"
     "tests, as a bundle (default) or JSON lines.  The same seed writes the\n"
     "same bytes.  extensions writes Accord's STIX extension definitions\n"
     "(the sharing-recipients extension and its publisher's identity), to\n"
     "import where partners can read them.\n"},
    {"org", acc_cmd_org, "add or list organisations",
     "usage: accord org add NAME [--not-member] [--identity IDENTITY-ID]\n"
     "       accord org list\n"
     "Organisations own users and receive grants on collections.  Members\n"
     "(the default) form this instance's community, which may read GREEN\n"
     "content; --not-member registers a partner outside it.\n"},
    {"user", acc_cmd_user, "add a user",
     "usage: accord user add NAME --org ORG [--password-stdin | "
     "--no-password]\n"
     "                       [--admin]\n"
     "Add a user of organisation ORG.  The password is read from a prompt,\n"
     "or one line of standard input with --password-stdin, and kept as an\n"
     "argon2id hash.  --no-password makes a user who signs in with tokens\n"
     "only.  An administrator may read and write every collection.\n"},
    {"token", acc_cmd_token, "create an API token",
     "usage: accord token create USER [--label TEXT] [--expires TIMESTAMP]\n"
     "Print a new API token for USER, once; it is stored only as a hash.\n"
     "Clients send it as 'Authorization: Bearer TOKEN'.\n"},
    {"collection", acc_cmd_collection, "add or list TAXII collections",
     "usage: accord collection add TITLE [--alias A] [--id UUID]\n"
     "                            [--description TEXT] [--api-root R]\n"
     "                            [--default-marking MARKING-ID]\n"
     "       accord collection list [--api-root R]\n"
     "Every store has a default collection (alias 'default').\n"},
    {"grant", acc_cmd_grant, "set an organisation's rights on a collection",
     "usage: accord grant ORG COLLECTION [--read] [--write]\n"
     "Set what ORG may do with COLLECTION (UUID or alias); without --read\n"
     "or --write the organisation loses access.\n"},
    {"serve", acc_cmd_serve, "run the TAXII 2.1 server",
     "usage: accord serve [--config FILE] [--listen ADDR] [--port N]\n"
     "                    [--tls-cert PEM --tls-key PEM] [--insecure-http]\n"
     "                    [--threads N] [--api-root NAME] [--port-file F]\n"
     "                    [--set KEY=VALUE]...\n"
     "Serve the data directory over TAXII 2.1: discovery at /taxii2/, the\n"
     "API root at /api/ (see docs/TAXII.md), /healthz and /metrics.\n"
     "Settings come from the configuration file (`key = value` lines),\n"
     "then from flags; --set sets any key of the file.  Plain HTTP is\n"
     "refused on a non-loopback address unless --insecure-http.  Clients\n"
     "authenticate with HTTP Basic or `Authorization: Bearer TOKEN`.\n"
     "SIGTERM or SIGINT stops accepting, lets requests finish, and exits 0.\n"},
    {"audit", acc_cmd_audit, "verify or read the audit log",
     "usage: accord audit verify\n"
     "       accord audit show [--principal NAME] [--object ID]\n"
     "                         [--since TS] [--until TS]\n"
     "Every release and denial of stored objects is appended to\n"
     "DIR/audit.log with the hash of the entry before it.  verify checks the\n"
     "whole chain and names the first entry edited, removed or moved (exit\n"
     "4); it prints the head hash, which can be kept elsewhere to detect a\n"
     "truncated tail.  show prints matching entries as JSON lines.\n"},
    {"pattern", acc_cmd_pattern, "check STIX patterns; benchmark data",
     "usage: accord pattern check [--json] [--tree] [--summary] PATTERN...|-\n"
     "       accord pattern generate --out-indicators F --out-observations G\n"
     "                               [--indicators N] [--observations M]\n"
     "                               [--seed S]\n"
     "check: validate each STIX 2.1 pattern (one per line of standard\n"
     "input with - or no argument).  Prints 'valid' or 'invalid: position\n"
     "N: expected ...' (N counts characters from 0); warnings go to\n"
     "stderr.  --tree prints the parsed pattern fully parenthesised;\n"
     "--summary prints only the counts and the rate.\n"
     "Exit status 0 when all are valid, 1 otherwise.\n"
     "generate: write N indicators and M observed-data objects (with\n"
     "their SCOs) as JSON lines for bench/match.\n"},
    {"match", acc_cmd_match, "match observations against indicators",
     "usage: accord match --indicators FILE|store --observations FILE...\n"
     "                    [--sightings FILE] [--where IDENTITY-ID]\n"
     "                    [--created TIMESTAMP] [--count-only] [--verbose]\n"
     "                    [--max-bytes N]\n"
     "Compile every indicator whose pattern_type is stix (from FILE, or the\n"
     "latest indicators of the store with 'store') into one matcher, and\n"
     "match the observed-data of the observation files (any shape import\n"
     "reads; SCOs by object_refs or embedded objects).  Prints one line per\n"
     "match: indicator id, tab, observed-data ids (--json: JSON lines).\n"
     "--sightings writes a bundle of sighting objects (where_sighted_refs\n"
     "from --where; created from --created or now) that import accepts.\n"
     "A summary (JSON) goes to stderr unless -q.  Exit status 1 when some\n"
     "indicator patterns were invalid (they are skipped).\n"},
    {"sensor", acc_cmd_sensor, "run the honeypot sensor (SSH, Telnet, HTTP)",
     "usage: accord sensor [--config FILE] [--set KEY=VALUE]...\n"
     "                     [--state DIR] [--port-file F]\n"
     "Run the honeypot until SIGTERM or SIGINT: SSH, Telnet and HTTP\n"
     "listeners on one event loop.  Every session is logged as\n"
     "Cowrie-compatible JSON lines (STATE/sensor.json by default) and\n"
     "becomes STIX 2.1 observed-data, spooled in STATE/spool and sent to\n"
     "taxii_url (a collection's objects URL) or ingested into store_dir.\n"
     "The state directory (default DATA/sensor) holds the SSH host keys,\n"
     "made at first start.  Settings: `key = value` lines in the file,\n"
     "then --set; see docs/SENSOR.md.  --port-file writes the bound ports\n"
     "('ssh 2222' lines).\n"},
    {"misp", acc_cmd_misp, "import or export MISP events and feeds",
     "usage: accord misp import [--collection C] [--tlp LEVEL]\n"
     "                          [--share-with ORG]... [--as USER] [--force]\n"
     "                          [--dry-run] [--verbose] FILE|DIR|- ...\n"
     "       accord misp export [--type T]... [--id ID]... [--added-after TS]\n"
     "                          [--collection C] [--as USER] [--pretty]\n"
     "                          [-o FILE | --feed DIR]\n"
     "       accord misp synth --events N --attributes M [--seed S] DIR\n"
     "import reads MISP core-format events ({\"Event\": ...}, a bare event,\n"
     "an array or {\"response\": [...]}) or a MISP feed directory\n"
     "(manifest.json, <uuid>.json), maps them to STIX 2.1 (docs/MISP.md) and\n"
     "stores them like `accord import`.  Events already stored at their\n"
     "timestamp are skipped (--force maps them again).  Every attribute is\n"
     "mapped or reported with the file, event, index and uuid.\n"
     "export writes the selected objects as MISP events: each report is an\n"
     "event, objects outside any report go into one more event; --feed\n"
     "writes a feed directory with manifest.json and hashes.csv.  Reads go\n"
     "through the sharing policy as the operator or --as USER.\n"
     "synth writes a synthetic feed (benchmarks).\n"
     "Exit status: 0 all mapped; 1 some attributes unmapped or refused;\n"
     "3 an input could not be read; 4 store error.\n"},
    {"lists", acc_cmd_lists, "anonymiser and relay lists (Tor exits, VPNs...)",
     "usage: accord lists import [--kind K] [--name NAME] [--format F]\n"
     "                          [--valid-from D] [--valid-until D]\n"
     "                          [--replace] FILE|- ...\n"
     "       accord lists check IP [--at DATE]\n"
     "       accord lists list\n"
     "       accord lists remove NAME\n"
     "Known anonymisers and relays, each entry a network valid over a\n"
     "period, so that correlation answers flag them and \"was this IP a Tor\n"
     "exit on date D?\" has an answer.\n"
     "  --kind K        tor-exit, vpn, proxy, scanner or cdn (a CSV file may\n"
     "                  give each row's kind in a type column instead)\n"
     "  --name NAME     the list's name (default: the file name); importing\n"
     "                  into an existing list adds to it\n"
     "  --replace       drop the list's entries first\n"
     "  --format F      tor-exit (ExitNode/Published/LastStatus/ExitAddress\n"
     "                  records), plain (one IP, CIDR or range A-B a line;\n"
     "                  also the Tor bulk exit list), csv (a header naming\n"
     "                  the address and type columns, optionally valid_from\n"
     "                  and valid_until), or auto (default: detected)\n"
     "  --valid-from D, --valid-until D  the period every entry is valid\n"
     "                  (YYYY-MM-DD or RFC 3339; default: what the file says,\n"
     "                  else open)\n"
     "  --at DATE       check: at that time (a date alone: any time that day;\n"
     "                  default: now)\n"
     "check exits 0 when the address is on a list, 1 when not.\n"},
    {"correlate", acc_cmd_correlate, "objects sharing values (IPs, domains, hashes...)",
     "usage: accord correlate [--as USER] [--json] [--limit N] [--at DATE]\n"
     "                        [--common N] VALUE|ID\n"
     "       accord correlate --rebuild | --stats | --set-common N\n"
     "Which stored objects, reports, sightings and partners mention the\n"
     "same values as VALUE (an IP address or network, domain, URL, e-mail,\n"
     "hash, MAC, ASN, or KIND:VALUE: sha256:..., mutex:..., regkey:...,\n"
     "account:..., x509-serial:...) or as the object ID (its values and\n"
     "those of the SCOs, observed-data and indicators it names).  Values are\n"
     "normalised; an IP also meets the networks containing it, a network\n"
     "the addresses inside it.  Answers are grouped by value, with sources,\n"
     "first and last seen, TLP, and flags: common (more than N sources),\n"
     "tor-exit, vpn, proxy, scanner, cdn (see accord lists).  Only what the\n"
     "reader may see counts, and objects named are audited as released.\n"
     "  --as USER       answer for USER under the sharing policy (default:\n"
     "                  the operator, who sees everything)\n"
     "  --limit N       objects named per value (default 50)\n"
     "  --at DATE       list flags at that date (default: when each value\n"
     "                  was seen)\n"
     "  --common N      sources above which a value is common (default: the\n"
     "                  store's setting, 20 unless --set-common)\n"
     "  --rebuild       rebuild the whole index from the stored objects\n"
     "  --stats         size of the index\n"
     "  --set-common N  store the common threshold\n"
     "Exit status: 0 something shares a value; 1 nothing does (or ID not\n"
     "found); 2 a value that cannot be read.\n"},
    {"index", acc_cmd_correlate, "rebuild or measure the correlation index",
     "usage: accord index rebuild | stats\n"
     "Same as accord correlate --rebuild / --stats.\n"},
    {"case", acc_cmd_case, "attribution cases: claim, evidence, endorsements",
     "usage: accord case new --title T --operation ID|NAME --actor ID|NAME\n"
     "                       --state ID|NAME --likelihood TERM\n"
     "                       --confidence low|moderate|high [options]\n"
     "       accord case edit CASE [options]\n"
     "       accord case show CASE        accord case list\n"
     "       accord case evidence CASE --ref ID... --reliability A-F\n"
     "                       --credibility 1-6 --category C --summary TEXT\n"
     "                       [--supports actor,state,activity]\n"
     "                       [--releasability LEVEL] [--source ORG]\n"
     "                       [--protect-source] [--observed TS]\n"
     "       accord case evidence CASE --update NOTE-ID [fields...]\n"
     "       accord case evidence CASE --withdraw NOTE-ID\n"
     "       accord case endorse CASE --as USER --concur|--dissent|--abstain\n"
     "                       --statement TEXT\n"
     "       accord case vocab\n"
     "A case claims that an operation (campaign or incident) is attributed\n"
     "to an actor (intrusion set or threat actor) acting for a state or\n"
     "organisation.  --operation/--actor/--state take a stored object's id,\n"
     "or a name to create one (--operation-type campaign|incident,\n"
     "--actor-type, --state-type identity|location|threat-actor, --country\n"
     "CC, --first-seen TS, --claim-tlp LEVEL).  The likelihood is an ICD 203\n"
     "term (--scale phia for the UK PHIA yardstick); the analytic\n"
     "confidence is a separate judgement.  Case options (new and edit):\n"
     "  --norm a..k  --sector NIS2-SECTOR  --action A  --target T\n"
     "  --effect F (EU 2019/796; lists comma-separated or repeated; 'none'\n"
     "  clears)  --measure TEXT  --partner ORG [--quorum N | --unanimity]\n"
     "  --tlp LEVEL (default amber, shared with the partners)\n"
     "  --collection C (new)  --spec FILE (the JSON of POST /api/v1/cases)\n"
     "Acts for --as USER, or for the operator with --org ORG.  Caveats are\n"
     "derived from the evidence (docs/CASES.md); `accord case vocab` lists\n"
     "every term.  new, edit, evidence and endorse print the id written.\n"},
    {"pack", acc_cmd_pack, "build or verify a signed evidence pack",
     "usage: accord pack build CASE --release clear|green --out DIR\n"
     "                        [--as USER] [--draft]\n"
     "                        [--pdf auto|never]\n"
     "       accord pack verify DIR [--key PUBKEY|FILE]\n"
     "build writes the releasable exhibits of CASE as a STIX 2.1 bundle, a\n"
     "statement of reasons (HTML, and PDF when wkhtmltopdf or chromium is\n"
     "installed), pack.json, a SHA-256 MANIFEST and its Ed25519 signature\n"
     "MANIFEST.sig by the organisation's key (`accord key generate`).  Only\n"
     "what the sharing policy lets the principal read and whose TLP allows\n"
     "the release level goes in; protected sources become pseudonyms.  The\n"
     "same case and keys give the same bytes.  --draft builds even when the\n"
     "endorsement rule is not met or a link has no releasable exhibit, and\n"
     "says so in the pack.\n"
     "verify checks the signature (against --key when given), every digest,\n"
     "that no file is missing or added, and that nothing in the bundle is\n"
     "marked above the release level.  Exit status 0 valid, 1 invalid.\n"},
    {"key", acc_cmd_key, "organisation signing keys (Ed25519)",
     "usage: accord key generate (--org ORG | --as USER) [--force]\n"
     "       accord key export (--org ORG | --as USER) [-o FILE]\n"
     "       accord key list\n"
     "generate makes the organisation's signing key and keeps it in\n"
     "DIR/keys (mode 0600); export prints its public key, ed25519:BASE64,\n"
     "for partners to pin with `accord pack verify --key`.\n"},
    {"peer", acc_cmd_peer, "federation peers: add, edit, remove, status",
     "usage: accord peer add NAME --url URL --collection ID --org ORG\n"
     "                       [--api-root PATH|URL] [--auth SPEC]\n"
     "                       [--direction pull|push|both] [--interval T]\n"
     "                       [--local-collection C] [--push-from C]\n"
     "                       [--ca-file PEM] [--insecure-http] [--disable]\n"
     "                       [tuning options]\n"
     "       accord peer edit NAME [options of add] [--enable|--disable]\n"
     "                        [--reset-pull] [--reset-push]\n"
     "       accord peer remove NAME\n"
     "       accord peer list | show NAME | status [NAME] | test NAME\n"
     "A peer is another Accord or any TAXII 2.1 server: its collection ID\n"
     "(at the API root given, or the server's default from /taxii2/) is\n"
     "pulled into --local-collection and/or --push-from is pushed to it.\n"
     "ORG is the organisation the peer stands for here: what it sends is\n"
     "that organisation's, and the sharing policy decides what it may\n"
     "receive as for that organisation (RED never; AMBER+STRICT only what\n"
     "originated here; grant ORG read on --push-from).\n"
     "  --auth SPEC   none, basic:USER[:PASSWORD] or bearer[:TOKEN]; a\n"
     "                missing secret is read from standard input (prompted\n"
     "                on a terminal).  Secrets are kept in DIR/secrets\n"
     "                (0600) and never shown.\n"
     "  --interval T  between runs under `accord serve` (default 5m; 500ms,\n"
     "                30s, 5m, 1h)\n"
     "  --ca-file PEM trust these CA certificates (verification is always\n"
     "                on); https is required except on loopback, or with\n"
     "                --insecure-http\n"
     "Tuning: --versions all|latest (default all), --page-size N (1000),\n"
     "--max-pages N per run (10000), --push-batch N (1000),\n"
     "--push-max-bytes SIZE (16M), --max-response SIZE (64M),\n"
     "--connect-timeout T (10s), --timeout T per request (5m),\n"
     "--low-speed BYTES/SECONDS|off (1024/60), --retries N on 429/5xx/\n"
     "network errors (4), --retry-max T longest wait (60s; Retry-After is\n"
     "honoured up to it), --status-wait T for a pending push (60s).\n"
     "--reset-pull / --reset-push start that direction again from the\n"
     "beginning (what is already here comes back as duplicates).\n"
     "status shows health, the last error, counts and watermarks, and the\n"
     "lag (pull: since the last run that caught up; push: age of the\n"
     "oldest version not yet pushed).  test checks that the peer answers\n"
     "and what the credentials may do with the collection.\n"},
    {"sync", acc_cmd_sync, "run federation once (pull and push)",
     "usage: accord sync [PEER...] [--pull-only|--push-only]\n"
     "Run each enabled peer (or those named, enabled or not) once: pull\n"
     "new objects page by page, then push what the sharing policy lets\n"
     "the peer's organisation receive.  Each page commits with its\n"
     "watermark, so an interrupted run resumes where it stopped.  `accord\n"
     "serve` does the same continuously, on each peer's --interval; when\n"
     "it is running a peer, `accord sync` waits for that run to end (up to\n"
     "a minute).\n"
     "Exit status: 0 done; 1 some objects were refused (by us or by the\n"
     "peer); 3 a run failed (see `accord peer status`); 4 store error.\n"},
    {"poc", acc_cmd_poc, "directory of national points of contact",
     "usage: accord poc add --level policy|technical --name NAME\n"
     "                      --channel TYPE:VALUE... [--role ROLE]\n"
     "                      [--language CODES] [--hours TEXT | --24-7]\n"
     "                      [--country CC] [--key auto|none|ed25519:B64]\n"
     "                      [--tlp LEVEL] [--collection C]\n"
     "                      [--class individual|group] [--description T]\n"
     "                      [--confirmed TS] (--as USER | --org ORG)\n"
     "       accord poc list [--org ORG] [--due] [--as USER]\n"
     "       accord poc show ID      accord poc confirm ID\n"
     "       accord poc period [DURATION]\n"
     "A point of contact (OSCE CBM 8) is a person or desk of an\n"
     "organisation or state, at policy or technical level, with its\n"
     "channels (TYPE is email, phone, fax, messaging, taxii, url or\n"
     "other), languages, hours, and the public key its organisation signs\n"
     "consultations with (--key auto, the default: the organisation's\n"
     "own, see `accord key generate`; the entry is then signed with it).\n"
     "Entries are STIX identities, TLP:AMBER+STRICT unless --tlp: those\n"
     "who may read the collection get them, federation only straight from\n"
     "this instance.  A partner's key is trusted from its own entries only\n"
     "(received from it, or pinned).  An entry whose last confirmation is\n"
     "older than the\n"
     "period (365d unless set with `accord poc period`) is due: list and\n"
     "show flag it and remind its organisation to run `accord poc confirm\n"
     "ID`, which records that it is still right.  The operator may pin a\n"
     "partner's contact and key given by other means: --org PARTNER\n"
     "--key ed25519:... (added as the instance's).  ID may be an\n"
     "unambiguous start (8+ characters) of the entry's UUID.\n"},
    {"consult", acc_cmd_consult, "consultations between states",
     "usage: accord consult open --to ORG --kind KIND --subject TEXT\n"
     "                       (--message TEXT | --message-file FILE)\n"
     "                       [--urgency routine|priority|urgent|critical]\n"
     "                       [--ref ID]... [--observer ORG]... [--poc ID]\n"
     "                       [--ack-within DUR | --ack-by TS]\n"
     "                       [--answer-within DUR | --answer-by TS]\n"
     "                       [--collection C] [--spec FILE]\n"
     "       accord consult ack ID [--message TEXT]\n"
     "       accord consult reply ID --message TEXT\n"
     "       accord consult close ID [--message TEXT]\n"
     "       accord consult list [--overdue] [--state STATE]\n"
     "       accord consult show ID      accord consult verify ID\n"
     "   each with (--as USER | --org ORG) [--now TS]\n"
     "A consultation (OSCE CBMs 3 and 13) is opened by one state with\n"
     "another about an incident, referring to stored objects (--ref; each\n"
     "stays under its own TLP).  KIND is clarification, assistance-request,\n"
     "activity-notification or vulnerability-notification.  The urgency\n"
     "sets the deadlines unless given (acknowledgement/answer: routine\n"
     "3d/30d, priority 1d/7d (default), urgent 4h/3d, critical 1h/1d).\n"
     "States: open, acknowledged, answered, closed, or expired when a\n"
     "deadline passes without its acknowledgement or answer (overdue).\n"
     "Every message is a STIX note signed with the sending organisation's\n"
     "key and marked TLP:AMBER+STRICT for the two parties and the\n"
     "observers only: it reaches them, through federation, from the\n"
     "instance where it was written, and no one else.  show and verify\n"
     "check every signature against the keys the organisations published\n"
     "(`accord poc`); verify exits 1 when a message does not verify or\n"
     "count.  --now TS (or ACCORD_NOW) judges deadlines at that time.\n"},
    {"help", cmd_help, "show help for a command",
     "usage: accord help [COMMAND]\n"},
    {NULL, NULL, NULL, NULL},
};

void acc_cli_err(const char *fmt, ...) {
  va_list ap;
  fputs("accord: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int acc_cli_common_opt(acc_cli *g, int c, const char *cmd, int *help_done) {
  *help_done = 0;
  switch (c) {
  case 'd':
    g->data_dir = optarg;
    return 1;
  case 'J':
    g->json = 1;
    return 1;
  case 'q':
    g->quiet = 1;
    return 1;
  case 'h':
    acc_cli_usage(stdout, cmd);
    *help_done = 1;
    return 1;
  default:
    return 0;
  }
}

int acc_cli_exit_for(acc_rc rc) {
  switch (rc) {
  case ACC_OK:
    return ACC_EXIT_OK;
  case ACC_EUSAGE:
    return ACC_EXIT_USAGE;
  case ACC_ENOTFOUND:
  case ACC_EINVAL:
  case ACC_ECONFLICT:
    return ACC_EXIT_PARTIAL;
  case ACC_EIO:
  case ACC_EJSON:
  case ACC_ETOOBIG:
  case ACC_ETOODEEP:
  case ACC_ESHAPE:
    return ACC_EXIT_INPUT;
  default:
    return ACC_EXIT_STORE;
  }
}

static const acc_cmd *find_cmd(const char *name) {
  for (const acc_cmd *c = acc_commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

void acc_cli_usage(FILE *f, const char *name) {
  const acc_cmd *c = find_cmd(name);
  if (!c)
    return;
  fputs(c->usage, f);
  fputs(COMMON_OPTS, f);
}

static void overview(FILE *f) {
  fprintf(f,
          "usage: accord [-d DIR] [--json] [-q] COMMAND [ARGS]\n"
          "Accord %s — share, correlate and attribute threat intelligence "
          "(STIX 2.1).\n\nCommands:\n",
          ACCORD_VERSION);
  for (const acc_cmd *c = acc_commands; c->name; c++)
    fprintf(f, "  %-10s %s\n", c->name, c->summary);
  fprintf(f, "\n%s\nSee `accord help COMMAND` and man accord.\n", COMMON_OPTS);
}

static int cmd_help(acc_cli *g, int argc, char **argv) {
  (void)g;
  if (argc < 2) {
    overview(stdout);
    return ACC_EXIT_OK;
  }
  if (!find_cmd(argv[1])) {
    acc_cli_err("no command '%s' (see `accord help`)", argv[1]);
    return ACC_EXIT_USAGE;
  }
  acc_cli_usage(stdout, argv[1]);
  return ACC_EXIT_OK;
}

int acc_cli_collection(acc_store *s, const char *name, int64_t *cid) {
  if (!name) {
    *cid = ACC_DEFAULT_COLLECTION;
    return 0;
  }
  acc_collection c;
  acc_diag d;
  if (s->ops->coll_get(s, NULL, name, &c, &d)) {
    acc_cli_err("%s (see `accord collection list`)", d.msg);
    return -1;
  }
  *cid = c.cid;
  return 0;
}

void acc_cli_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    switch (*p) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\r':
      fputs("\\r", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (*p < 0x20)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

acc_rc acc_input_open(const char *path, size_t max_bytes, acc_input *in,
                      acc_diag *d) {
  memset(in, 0, sizeof *in);
  int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
  if (fd < 0)
    return acc_diag_set(d, errno == ENOENT ? ACC_ENOTFOUND : ACC_EIO,
                        "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    acc_rc rc = acc_diag_set(d, ACC_EIO, "cannot stat: %s", strerror(errno));
    if (fd != STDIN_FILENO)
      close(fd);
    return rc;
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return acc_diag_set(d, ACC_EIO, "is a directory");
  }
  if (S_ISREG(st.st_mode)) {
    if ((uint64_t)st.st_size > max_bytes) {
      if (fd != STDIN_FILENO)
        close(fd);
      return acc_diag_set(d, ACC_ETOOBIG,
                          "%lld bytes exceeds the limit of %zu bytes (raise "
                          "it with --max-bytes)",
                          (long long)st.st_size, max_bytes);
    }
    if (st.st_size == 0) {
      in->data = "";
      if (fd != STDIN_FILENO)
        close(fd);
      return ACC_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd != STDIN_FILENO)
      close(fd);
    if (p == MAP_FAILED)
      return acc_diag_set(d, ACC_EIO, "cannot map: %s", strerror(errno));
    madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
    in->data = p;
    in->len = (size_t)st.st_size;
    in->mapped = 1;
    return ACC_OK;
  }
  /* A pipe or terminal: read it all, refusing more than max_bytes. */
  acc_buf b;
  acc_rc rc = ACC_OK;
  acc_buf_init(&b, max_bytes < SIZE_MAX - 1 ? max_bytes + 1 : max_bytes);
  for (;;) {
    size_t want = b.limit - b.len < (1 << 16) ? b.limit - b.len : (1 << 16);
    if (want == 0 || b.len > max_bytes) {
      rc = acc_diag_set(d, ACC_ETOOBIG,
                        "input exceeds the limit of %zu bytes (raise it "
                        "with --max-bytes)",
                        max_bytes);
      break;
    }
    if ((rc = acc_buf_reserve(&b, want))) {
      acc_diag_set(d, rc, "cannot read: %s", acc_strerror(rc));
      break;
    }
    ssize_t n = read(fd, b.data + b.len, want);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = acc_diag_set(d, ACC_EIO, "cannot read: %s", strerror(errno));
      break;
    }
    if (n == 0)
      break;
    b.len += (size_t)n;
  }
  if (rc) {
    acc_buf_free(&b);
    if (fd != STDIN_FILENO)
      close(fd);
    return rc;
  }
  if (fd != STDIN_FILENO)
    close(fd);
  in->heap = b.data;
  in->data = b.data ? b.data : "";
  in->len = b.len;
  return ACC_OK;
}

void acc_input_close(acc_input *in) {
  if (in->mapped)
    munmap((void *)in->data, in->len);
  free(in->heap);
  memset(in, 0, sizeof *in);
}

int main(int argc, char **argv) {
  if (sodium_init() < 0) {
    acc_cli_err("libsodium could not be initialised");
    return ACC_EXIT_STORE;
  }
  acc_cli g = {.data_dir = getenv("ACCORD_DATA")};
  if (!g.data_dir || !*g.data_dir)
    g.data_dir = "accord-data";
  int i = 1;
  /* Global options before the command. */
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    if ((strcmp(a, "-d") == 0 || strcmp(a, "--data") == 0) && i + 1 < argc)
      g.data_dir = argv[++i];
    else if (strncmp(a, "--data=", 7) == 0)
      g.data_dir = a + 7;
    else if (strcmp(a, "--json") == 0)
      g.json = 1;
    else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
      g.quiet = 1;
    else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      overview(stdout);
      return ACC_EXIT_OK;
    } else if (strcmp(a, "--version") == 0) {
#ifdef ACCORD_BENCH_NO_POLICY
      printf("accord %s (BENCHMARK BUILD WITHOUT THE SHARING POLICY)\n",
             ACCORD_VERSION);
#else
      printf("accord %s\n", ACCORD_VERSION);
#endif
      return ACC_EXIT_OK;
    } else {
      acc_cli_err("unknown option '%s' (see `accord help`)", a);
      return ACC_EXIT_USAGE;
    }
  }
  if (i >= argc) {
    overview(stderr);
    return ACC_EXIT_USAGE;
  }
  const acc_cmd *c = find_cmd(argv[i]);
  if (!c) {
    acc_cli_err("no command '%s' (see `accord help`)", argv[i]);
    return ACC_EXIT_USAGE;
  }
  return c->fn(&g, argc - i, argv + i);
}

int acc_cli_open_reader(acc_cli *g, const char *as, const char *path,
                        acc_store **st, acc_audit **audit, acc_principal *who,
                        acc_reader *rd) {
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, st, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  *who = acc_principal_operator;
  if (as && (rc = acc_auth_principal_of(*st, as, who, &d))) {
    acc_cli_err("--as: %s", d.msg);
    acc_store_close(*st);
    *st = NULL;
    return ACC_EXIT_USAGE;
  }
  if ((rc = acc_audit_open(g->data_dir, audit, &d))) {
    acc_cli_err("%s", d.msg);
    acc_store_close(*st);
    *st = NULL;
    return ACC_EXIT_STORE;
  }
  *rd = (acc_reader){.who = who, .path = path, .audit = *audit};
  return 0;
}

void acc_cli_close_reader(acc_store *st, acc_audit *audit) {
  acc_audit_close(audit);
  acc_store_close(st);
}
