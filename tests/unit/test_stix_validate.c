/*
 * test_stix_validate.c — the STIX object validator: one valid object per
 * kind of rule, then each rule broken one at a time (every case must fail
 * with a message naming the property), the default spec_version, what
 * validation reports back, SCO identifier warnings, the helpers, the type
 * catalogue, and the examples of the specification.
 *
 * Test JSON is written with single quotes, turned into double quotes
 * before parsing (an apostrophe inside a value is written \u0027).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"
#include "stix/types.h"
#include "util/time.h"

#define ID_IDENTITY "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
#define ID_INDICATOR "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID_MALWARE "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
#define ID_REL "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"
#define ID_TLP_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define ID_TLP_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define ID_IPV4 "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"
#define ID_FILE "file--bf2b3d4b-dde1-5d3d-9b8b-5e0c1e3e4c24"
#define ID_EXTDEF "extension-definition--d83fce45-93ec-4ee0-89b8-5c5e5e1d7b46"
#define TS_A "2016-04-06T20:03:48.000Z"

/* Parse single-quoted JSON. */
static json_t *sq(const char *text) {
  size_t n = strlen(text);
  char *s = malloc(n + 1);
  assert_non_null(s);
  for (size_t i = 0; i <= n; i++)
    s[i] = text[i] == '\'' ? '"' : text[i];
  json_error_t err;
  json_t *v = json_loads(s, JSON_DECODE_ANY, &err);
  if (!v)
    fail_msg("bad test JSON (%s): %s", err.text, s);
  free(s);
  return v;
}

/* ---- valid objects, the bases the negative cases start from ------------- */

typedef struct base {
  const char *name;
  const char *json;
} base;

static const base bases[] = {
    {"indicator",
     "{'type':'indicator','spec_version':'2.1','id':'" ID_INDICATOR "',"
     "'created':'" TS_A "','modified':'" TS_A "',"
     "'created_by_ref':'" ID_IDENTITY "','name':'C2',"
     "'pattern':'[ipv4-addr:value = \\u0027198.51.100.3\\u0027]',"
     "'pattern_type':'stix','valid_from':'2016-01-01T00:00:00Z',"
     "'labels':['a','b'],'confidence':50,'lang':'en',"
     "'object_marking_refs':['" ID_TLP_WHITE "'],"
     "'external_references':[{'source_name':'capec','external_id':'CAPEC-1'},"
     "{'source_name':'cve','external_id':'CVE-2014-0160'},"
     "{'source_name':'acme','url':'https://example.com/',"
     "'hashes':{'SHA-256':'6db12788c37247f2316052e142f42f4b259d6561751e5f401a"
     "1ae2a6df9c674b'}}],"
     "'kill_chain_phases':[{'kill_chain_name':'lockheed-martin-cyber-kill-"
     "chain','phase_name':'delivery'}],"
     "'granular_markings':[{'marking_ref':'" ID_TLP_GREEN "',"
     "'selectors':['name','labels.[1]','external_references.[0].source_name']"
     "},{'lang':'de','selectors':['confidence']}],"
     "'x_acme_score':[],'custom_property':null,"
     "'extensions':{'" ID_EXTDEF "':{'extension_type':'property-extension',"
     "'rank':5},'x-acme-ext':{}}}"},
    {"indicator20",
     "{'type':'indicator','id':'" ID_INDICATOR "','created':'" TS_A "',"
     "'modified':'" TS_A "','labels':['malicious-activity'],"
     "'pattern':'[file:name = \\u0027x\\u0027]',"
     "'valid_from':'2016-01-01T00:00:00Z','severity':'high'}"},
    {"malware20",
     "{'type':'malware','id':'" ID_MALWARE "','created':'" TS_A "',"
     "'modified':'" TS_A "','labels':['trojan'],'name':'Poison Ivy'}"},
    {"identity20",
     "{'type':'identity','id':'" ID_IDENTITY "','created':'" TS_A "',"
     "'modified':'" TS_A "','name':'ACME','identity_class':'organization'}"},
    {"malware",
     "{'type':'malware','spec_version':'2.1','id':'" ID_MALWARE "',"
     "'created':'" TS_A "','modified':'2016-05-01T00:00:00.123456Z',"
     "'revoked':true,'name':'Poison Ivy','is_family':true,"
     "'first_seen':'2016-01-01T00:00:00Z','last_seen':'2016-01-01T00:00:00Z',"
     "'sample_refs':['" ID_FILE "'],"
     "'operating_system_refs':['software--4e6b0d5e-4f4c-5a5d-8a6e-1f2b3c4d5e6f"
     "']}"},
    {"relationship",
     "{'type':'relationship','spec_version':'2.1','id':'" ID_REL "',"
     "'created':'" TS_A "','modified':'" TS_A "','relationship_type':"
     "'indicates','source_ref':'" ID_INDICATOR "','target_ref':'" ID_MALWARE
     "','start_time':'2016-01-01T00:00:00Z','stop_time':"
     "'2016-01-02T00:00:00Z'}"},
    {"relationship-custom",
     "{'type':'relationship','spec_version':'2.1','id':'" ID_REL "',"
     "'created':'" TS_A "','modified':'" TS_A "','relationship_type':"
     "'detects','source_ref':'x-mitre-data-component--1d2e3f4a-5b6c-4d7e-8f9a-"
     "0b1c2d3e4f5a','target_ref':'" ID_IPV4 "'}"},
    {"sighting",
     "{'type':'sighting','spec_version':'2.1','id':'sighting--ee20065d-2555-"
     "424f-ad9e-0f8fd6bd0e5d','created':'" TS_A "','modified':'" TS_A "',"
     "'sighting_of_ref':'" ID_INDICATOR "','count':999999999,"
     "'observed_data_refs':['observed-data--b67d30ff-02ac-498a-92f9-"
     "32f845f448cf'],'where_sighted_refs':['" ID_IDENTITY "',"
     "'location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64'],'summary':false}"},
    {"observed",
     "{'type':'observed-data','spec_version':'2.1','id':'observed-data--"
     "b67d30ff-02ac-498a-92f9-32f845f448cf','created':'" TS_A "',"
     "'modified':'" TS_A "','first_observed':'2015-12-21T19:00:00Z',"
     "'last_observed':'2015-12-21T19:00:00Z','number_observed':50,"
     "'object_refs':['" ID_REL "','" ID_IPV4 "']}"},
    {"observed-objects",
     "{'type':'observed-data','spec_version':'2.1','id':'observed-data--"
     "b67d30ff-02ac-498a-92f9-32f845f448cf','created':'" TS_A "',"
     "'modified':'" TS_A "','first_observed':'2015-12-21T19:00:00Z',"
     "'last_observed':'2015-12-21T19:00:00Z','number_observed':1,"
     "'objects':{'0':{'type':'ipv4-addr','value':'1.2.3.4'}}}"},
    {"report",
     "{'type':'report','spec_version':'2.1','id':'report--84e4d88f-44ea-4bcd-"
     "bbf3-b2c1c320bcb3','created':'" TS_A "','modified':'" TS_A "',"
     "'name':'The Black Vine Cyberespionage Group','report_types':["
     "'campaign'],'published':'2016-01-20T17:00:00.000Z',"
     "'object_refs':['" ID_INDICATOR "','" ID_REL "']}"},
    {"grouping",
     "{'type':'grouping','spec_version':'2.1','id':'grouping--84e4d88f-44ea-"
     "4bcd-bbf3-b2c1c320bcb3','created':'" TS_A "','modified':'" TS_A "',"
     "'name':'G','context':'suspicious-activity','object_refs':['" ID_IPV4
     "']}"},
    {"note",
     "{'type':'note','spec_version':'2.1','id':'note--0c7b5b88-8ff7-4a4d-aa9d-"
     "feb398cd0061','created':'" TS_A "','modified':'" TS_A "',"
     "'content':'text','object_refs':['" ID_MALWARE "']}"},
    {"opinion",
     "{'type':'opinion','spec_version':'2.1','id':'opinion--b01efc25-77b4-"
     "4003-b18b-f6e24b5cd9f7','created':'" TS_A "','modified':'" TS_A "',"
     "'opinion':'strongly-disagree','object_refs':['" ID_REL "']}"},
    {"location",
     "{'type':'location','spec_version':'2.1','id':'location--a6e9345f-5a15-"
     "4c29-8bb3-7dcc5d168d64','created':'" TS_A "','modified':'" TS_A "',"
     "'region':'south-eastern-asia'}"},
    {"location-point",
     "{'type':'location','spec_version':'2.1','id':'location--a6e9345f-5a15-"
     "4c29-8bb3-7dcc5d168d64','created':'" TS_A "','modified':'" TS_A "',"
     "'latitude':-90,'longitude':180.0,'precision':100.5}"},
    {"malanalysis",
     "{'type':'malware-analysis','spec_version':'2.1','id':'malware-analysis--"
     "d25167b7-fed0-4068-9ccd-a73dd2c5b07d','created':'" TS_A "',"
     "'modified':'" TS_A "','product':'microsoft','result':'malicious',"
     "'sample_ref':'" ID_FILE "'}"},
    {"marking",
     "{'type':'marking-definition','spec_version':'2.1','id':'marking-"
     "definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd','created':'" TS_A "',"
     "'definition_type':'statement','definition':{'statement':'Copyright "
     "2019, Example Corp'}}"},
    {"tlp",
     "{'type':'marking-definition','spec_version':'2.1','id':'" ID_TLP_WHITE
     "','created':'2017-01-20T00:00:00.000Z','definition_type':'tlp','name':"
     "'TLP:WHITE','definition':{'tlp':'white'}}"},
    {"tlp2", "{'type':'marking-definition','spec_version':'2.1','id':'marking-"
             "definition--94868c89-83c2-464b-929b-a1a8aa3c8487','created':"
             "'2022-10-01T00:00:00.000Z','name':'TLP:CLEAR','extensions':{"
             "'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d':{"
             "'extension_type':'property-extension','tlp_2_0':'clear'}}}"},
    {"extdef",
     "{'type':'extension-definition','spec_version':'2.1','id':'" ID_EXTDEF
     "','created_by_ref':'" ID_IDENTITY "','created':'" TS_A "',"
     "'modified':'" TS_A "','name':'Extension My Favorite SDO and Sub-Comp',"
     "'schema':'https://www.example.com/schema-newobj-subcomp/v1/',"
     "'version':'1.2.1','extension_types':['new-sdo','property-extension']}"},
    {"extdef-toplevel",
     "{'type':'extension-definition','spec_version':'2.1','id':'" ID_EXTDEF
     "','created_by_ref':'" ID_IDENTITY "','created':'" TS_A "',"
     "'modified':'" TS_A "','name':'n','schema':'s','version':'1',"
     "'extension_types':['toplevel-property-extension'],"
     "'extension_properties':['toxicity']}"},
    {"langc",
     "{'type':'language-content','spec_version':'2.1','id':'language-content--"
     "b86bd89f-98bb-4fa9-8cb2-9ad421da981d','created':'" TS_A "',"
     "'modified':'" TS_A "','object_ref':'" ID_MALWARE "',"
     "'object_modified':'" TS_A "','contents':{'de':{'name':'Bank Angriff'},"
     "'zh-Hans':{'goals':['x','']}}}"},
    {"ipv4", "{'type':'ipv4-addr','spec_version':'2.1','id':'" ID_IPV4 "',"
             "'value':'198.51.100.3','defanged':false}"},
    {"file",
     "{'type':'file','spec_version':'2.1','id':'" ID_FILE "',"
     "'hashes':{'MD5':'3773A88F65A5E780C8DFF9CDC3A056F3','x_foo_hash':'aa'},"
     "'size':0,'name':'foo.dll','magic_number_hex':'ffd8',"
     "'parent_directory_ref':'directory--93c0a9b0-520d-545d-9094-"
     "1a08ddf46b05','extensions':{'ntfs-ext':{'sid':'1234567'},"
     "'archive-ext':{'contains_refs':['" ID_FILE "']},"
     "'windows-pebinary-ext':{'pe_type':'exe','machine_hex':'014c',"
     "'optional_header':{'size_of_code':512},'sections':[{'name':'CODE',"
     "'entropy':0.06}]}}}"},
    {"traffic",
     "{'type':'network-traffic','spec_version':'2.1','id':'network-traffic--"
     "2568d22a-8998-58eb-99ec-3c8ca74f527d','src_ref':'" ID_IPV4 "',"
     "'dst_port':65535,'protocols':['ipv4','tcp'],'start':"
     "'2016-01-01T00:00:00Z','end':'2016-01-01T00:00:00Z','is_active':false,"
     "'ipfix':{'minimumIpTotalLength':32,'maximumIpTotalLength':2556},"
     "'extensions':{'http-request-ext':{'request_method':'get',"
     "'request_value':'/','request_header':{'User-Agent':'x'}},"
     "'socket-ext':{'address_family':'AF_INET','socket_type':'SOCK_DGRAM'},"
     "'tcp-ext':{'src_flags_hex':'00000002'}}}"},
    {"email",
     "{'type':'email-message','spec_version':'2.1','id':'email-message--"
     "72b7698f-10c2-565a-a2a6-b4996a2f2265','is_multipart':false,"
     "'from_ref':'email-addr--9b7e29b3-fd8d-562e-b3f0-8fc8134f5dda',"
     "'subject':'Hi','body':'text','additional_header_fields':{"
     "'Reply-To':['a@example.com']}}"},
    {"artifact",
     "{'type':'artifact','spec_version':'2.1','id':'artifact--4cce66f8-6eaa-"
     "53cb-85d5-3a85fca3a6c5','mime_type':'text/plain','payload_bin':"
     "'SGVsbG8='}"},
    {"process",
     "{'type':'process','spec_version':'2.1','id':'process--f52a906a-0dfc-"
     "40bd-92f1-e7778ead38a9','pid':1221}"},
    {"regkey",
     "{'type':'windows-registry-key','spec_version':'2.1','id':'windows-"
     "registry-key--2ba37ae7-2745-5082-9dfd-9486dad41016','key':'HKEY_LOCAL_"
     "MACHINE\\\\System','values':[{'name':'','data':'1','data_type':"
     "'REG_DWORD'}]}"},
    {"mac",
     "{'type':'mac-addr','spec_version':'2.1','id':'mac-addr--65cfcf98-8a6e-"
     "5a1b-8f61-379ac4f92d00','value':'d2:fb:49:24:37:18'}"},
    {"custom",
     "{'type':'x-mitre-tactic','id':'x-mitre-tactic--2558fd61-8c75-4730-94c4-"
     "11926db2a263','created':'2018-10-17T00:14:20.652Z','modified':"
     "'2019-07-19T17:42:06.909Z','name':'Credential Access','x_mitre_shortname'"
     ":'credential-access','object_marking_refs':['" ID_TLP_WHITE "'],"
     "'tactic_refs':5,'severity':1}"},
};

static const base *find_base(const char *name) {
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
    if (!strcmp(bases[i].name, name))
      return &bases[i];
  fail_msg("no base %s", name);
  return NULL;
}

static void test_valid_objects(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    json_t *v = sq(bases[i].json);
    acc_stix_obj o;
    acc_diag d = {{0}};
    if (acc_stix_validate(v, &o, &d, NULL, NULL) != ACC_OK)
      fail_msg("base %s rejected: %s", bases[i].name, d.msg);
    json_decref(v);
  }
}

/* ---- each rule broken once ---------------------------------------------- */

typedef struct neg {
  const char *base;
  const char *patch; /* members set on the base; value "<del>" removes */
  const char *want;  /* part of the message */
} neg;

#define DEL "'<del>'"

static const neg negs[] = {
    /* type and id */
    {"indicator", "{'type':" DEL "}", "missing required property 'type'"},
    {"indicator", "{'type':5}",
     "property 'type': expected a string, got an "
     "integer"},
    {"indicator", "{'type':'Indicator'}",
     "property 'type': 'Indicator' is not a valid type name"},
    {"indicator", "{'type':'ab'}", "'ab' is not a valid type name"},
    {"indicator", "{'type':'x--y'}", "'x--y' is not a valid type name"},
    {"indicator", "{'type':'1abc'}", "'1abc' is not a valid type name"},
    {"indicator", "{'type':'bundle'}", "a bundle is not allowed"},
    {"indicator", "{'id':" DEL "}",
     "missing required property 'id' for type indicator"},
    {"indicator", "{'id':7}", "property 'id': expected a string"},
    {"indicator", "{'id':'" ID_MALWARE "'}",
     "property 'id': '" ID_MALWARE "' is not an identifier of the form "
     "indicator--UUID"},
    {"indicator", "{'id':'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3'}",
     "is not an identifier of the form indicator--UUID"},
    {"indicator", "{'id':'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f0'}",
     "is not an identifier of the form indicator--UUID"},
    {"indicator", "{'id':'indicator--8e2e2d2b_17d4-4cbf-938f-98ee46b3cd3f'}",
     "is not an identifier of the form indicator--UUID"},
    {"indicator", "{'id':'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g'}",
     "is not an identifier of the form indicator--UUID"},
    /* spec_version */
    {"indicator", "{'spec_version':'2.2'}",
     "property 'spec_version': '2.2' is not a supported version"},
    {"indicator", "{'spec_version':2.1}",
     "property 'spec_version': expected a string, got a number"},
    {"grouping", "{'spec_version':" DEL "}",
     "missing required property 'spec_version' for type grouping"},
    {"grouping", "{'spec_version':'2.0'}",
     "type grouping does not exist in STIX 2.0"},
    /* versioning timestamps */
    {"indicator", "{'created':" DEL "}",
     "missing required property 'created' for type indicator"},
    {"relationship", "{'modified':" DEL "}",
     "missing required property 'modified' for type relationship"},
    {"indicator", "{'created':5}",
     "property 'created': expected a timestamp string, got an integer"},
    {"indicator", "{'created':'2016-04-06T20:03:48Z'}",
     "property 'created': '2016-04-06T20:03:48Z' has less than millisecond "
     "precision"},
    {"indicator", "{'modified':'2016-04-06T20:03:48.12Z'}",
     "property 'modified': '2016-04-06T20:03:48.12Z' has less than "
     "millisecond"},
    {"indicator", "{'created':'2016-04-06 20:03:48.000Z'}",
     "property 'created': '2016-04-06 20:03:48.000Z' is not an RFC 3339 UTC "
     "timestamp"},
    {"indicator", "{'created':'2016-02-30T20:03:48.000Z'}",
     "is not an RFC 3339 UTC timestamp"},
    {"indicator", "{'modified':'2016-04-05T20:03:48.000Z'}",
     "property 'modified': '2016-04-05T20:03:48.000Z' is earlier than "
     "created"},
    /* common properties */
    {"indicator", "{'confidence':'high'}",
     "property 'confidence': expected an integer, got a string"},
    {"indicator", "{'confidence':101}",
     "property 'confidence': 101 is out of range (0..100)"},
    {"indicator", "{'confidence':-1}", "-1 is out of range (0..100)"},
    {"indicator", "{'confidence':50.5}",
     "property 'confidence': expected an integer, got a number"},
    {"indicator", "{'revoked':'yes'}",
     "property 'revoked': expected a boolean, got a string"},
    {"indicator", "{'labels':'x'}",
     "property 'labels': expected a list of string values, got a string"},
    {"indicator", "{'labels':[]}", "property 'labels': empty list"},
    {"indicator", "{'labels':['a',1]}",
     "property 'labels'[1]: expected a string, got an integer"},
    {"indicator", "{'lang':5}", "property 'lang': expected a string"},
    {"indicator", "{'external_references':{'source_name':'x'}}",
     "property 'external_references': expected a list of external-reference "
     "values, got an object"},
    {"indicator", "{'external_references':['x']}",
     "property 'external_references'[0]: expected external-reference object, "
     "got a string"},
    {"indicator", "{'external_references':[{'url':'https://x'}]}",
     "property 'external_references'[0]: missing required property "
     "'source_name'"},
    {"indicator", "{'external_references':[{'source_name':'x'}]}",
     "property 'external_references'[0]: missing required property "
     "'external_id' (or 'description' or 'url')"},
    {"indicator",
     "{'external_references':[{'source_name':'capec','external_id':'C-1'}]}",
     "property 'external_references'[0].external_id: 'C-1' is not a capec "
     "identifier"},
    {"indicator",
     "{'external_references':[{'source_name':'cve','external_id':"
     "'2014-0160'}]}",
     "'2014-0160' is not a cve identifier"},
    {"indicator",
     "{'external_references':[{'source_name':'x','url':'u','hashes':{'MD5':"
     "'abc'}}]}",
     "property 'external_references'[0].hashes.MD5: 'abc' is not a 32-digit "
     "hexadecimal MD5 digest"},
    {"indicator",
     "{'object_marking_refs':['" ID_TLP_WHITE "','" ID_TLP_GREEN
     "','" ID_IDENTITY "']}",
     "property 'object_marking_refs'[2]: '" ID_IDENTITY
     "' is not a marking-definition id"},
    {"indicator", "{'object_marking_refs':['nope']}",
     "property 'object_marking_refs'[0]: 'nope' is not a STIX identifier"},
    {"indicator", "{'object_marking_refs':'" ID_TLP_WHITE "'}",
     "property 'object_marking_refs': expected a list of identifier string "
     "values, got a string"},
    {"indicator", "{'created_by_ref':'" ID_MALWARE "'}",
     "property 'created_by_ref': '" ID_MALWARE "' is not an identity id"},
    {"indicator", "{'granular_markings':[{'marking_ref':'" ID_TLP_WHITE "'}]}",
     "property 'granular_markings'[0]: missing required property "
     "'selectors'"},
    {"indicator",
     "{'granular_markings':[{'marking_ref':'" ID_TLP_WHITE
     "','selectors':[]}]}",
     "property 'granular_markings'[0].selectors: empty list"},
    {"indicator", "{'granular_markings':[{'selectors':['name']}]}",
     "property 'granular_markings'[0]: missing required property "
     "'marking_ref' (or 'lang')"},
    {"indicator",
     "{'granular_markings':[{'selectors':['name'],'lang':'en','marking_ref':"
     "'" ID_TLP_WHITE "'}]}",
     "property 'granular_markings'[0]: a granular marking has 'lang' or "
     "'marking_ref', not both"},
    {"indicator",
     "{'granular_markings':[{'selectors':['name'],'marking_ref':'" ID_IDENTITY
     "'}]}",
     "property 'granular_markings'[0].marking_ref: '" ID_IDENTITY
     "' is not a marking-definition id"},
    {"indicator",
     "{'granular_markings':[{'selectors':['name','labels.[2]'],'lang':'de'}]}",
     "property 'granular_markings'[0].selectors[1]: 'labels.[2]' does not "
     "select anything in this object"},
    {"indicator",
     "{'granular_markings':[{'selectors':['description'],'lang':'de'}]}",
     "'description' does not select anything"},
    {"indicator",
     "{'granular_markings':[{'selectors':['name.x'],'lang':'de'}]}",
     "'name.x' does not select anything"},
    {"indicator",
     "{'granular_markings':[{'selectors':['labels.'],'lang':'de'}]}",
     "'labels.' does not select anything"},
    {"indicator", "{'extensions':[]}",
     "property 'extensions': expected an object, got a list"},
    {"indicator", "{'extensions':{}}",
     "property 'extensions': empty "
     "dictionary"},
    {"indicator", "{'extensions':{'x-acme-ext':'v'}}",
     "property 'extensions'.x-acme-ext: expected an object (the extension's "
     "contents), got a string"},
    {"indicator", "{'extensions':{'" ID_EXTDEF "':{'rank':5}}}",
     "property 'extensions'." ID_EXTDEF ": missing required property "
     "'extension_type'"},
    {"indicator",
     "{'extensions':{'" ID_EXTDEF "':{'extension_type':'property_extension'}}"
     "}",
     "property 'extensions'." ID_EXTDEF ".extension_type: "
     "'property_extension' is not one of: new-sdo"},
    {"indicator", "{'defanged':true}",
     "property 'defanged': only cyber-observable objects (SCOs) may be "
     "defanged"},
    {"indicator", "{'severity':'high'}",
     "property 'severity': reserved property name"},
    {"indicator", "{'action':'x'}", "property 'action': reserved"},
    /* indicator */
    {"indicator", "{'pattern':" DEL "}",
     "missing required property 'pattern' for type indicator"},
    {"indicator", "{'pattern_type':" DEL "}",
     "missing required property 'pattern_type' for type indicator"},
    {"indicator", "{'valid_from':" DEL "}",
     "missing required property 'valid_from' for type indicator"},
    {"indicator", "{'pattern':5}",
     "property 'pattern': expected a string, got an integer"},
    {"indicator", "{'valid_until':'2016-01-01T00:00:00Z'}",
     "property 'valid_until': '2016-01-01T00:00:00Z' is not later than "
     "valid_from"},
    {"indicator", "{'kill_chain_phases':[{'kill_chain_name':'k'}]}",
     "property 'kill_chain_phases'[0]: missing required property "
     "'phase_name'"},
    {"indicator", "{'indicator_types':'malicious-activity'}",
     "property 'indicator_types': expected a list of string values"},
    /* STIX 2.0 (no spec_version) */
    {"indicator20", "{'labels':" DEL "}",
     "missing required property 'labels' for type indicator (in STIX 2.0"},
    {"malware20", "{'name':" DEL "}",
     "missing required property 'name' for type malware (in STIX 2.0"},
    {"malware20", "{'labels':" DEL "}",
     "missing required property 'labels' for type malware"},
    {"identity20", "{'identity_class':" DEL "}",
     "missing required property 'identity_class' for type identity"},
    {"identity20", "{'name':" DEL "}",
     "missing required property 'name' for type identity"},
    /* relationship */
    {"relationship", "{'relationship_type':" DEL "}",
     "missing required property 'relationship_type' for type relationship"},
    {"relationship", "{'source_ref':" DEL "}",
     "missing required property 'source_ref' for type relationship"},
    {"relationship", "{'target_ref':" DEL "}",
     "missing required property 'target_ref' for type relationship"},
    {"relationship", "{'relationship_type':'Uses'}",
     "property 'relationship_type': 'Uses' is not made of a-z, 0-9 and '-'"},
    {"relationship", "{'relationship_type':''}",
     "property 'relationship_type': '' is not made of"},
    {"relationship", "{'source_ref':'" ID_TLP_WHITE "'}",
     "property 'source_ref': '" ID_TLP_WHITE "' is not the id of an SDO or "
     "an SCO"},
    {"relationship",
     "{'target_ref':'sighting--ee20065d-2555-424f-ad9e-0f8fd6bd0e5d'}",
     "property 'target_ref': 'sighting--ee20065d-2555-424f-ad9e-0f8fd6bd0e5d' "
     "is not the id of an SDO"},
    {"relationship", "{'stop_time':'2016-01-01T00:00:00Z'}",
     "property 'stop_time': '2016-01-01T00:00:00Z' is not later than "
     "start_time"},
    /* sighting */
    {"sighting", "{'sighting_of_ref':" DEL "}",
     "missing required property 'sighting_of_ref' for type sighting"},
    {"sighting", "{'sighting_of_ref':'" ID_IPV4 "'}",
     "property 'sighting_of_ref': '" ID_IPV4 "' is not the id of an SDO"},
    {"sighting", "{'count':1000000000}",
     "property 'count': 1000000000 is out of range (0..999999999)"},
    {"sighting", "{'count':9007199254740992}",
     "property 'count': 9007199254740992 is beyond the integer range"},
    {"sighting", "{'where_sighted_refs':['" ID_MALWARE "']}",
     "property 'where_sighted_refs'[0]: '" ID_MALWARE "' is not the id of an "
     "identity or a location"},
    {"sighting", "{'observed_data_refs':['" ID_INDICATOR "']}",
     "is not an observed-data id"},
    {"sighting",
     "{'first_seen':'2016-01-02T00:00:00Z','last_seen':'2016-01-01T00:00:00Z'}",
     "property 'last_seen': '2016-01-01T00:00:00Z' is earlier than "
     "first_seen"},
    {"sighting", "{'summary':'no'}",
     "property 'summary': expected a boolean, got a string"},
    /* observed-data */
    {"observed", "{'number_observed':0}",
     "property 'number_observed': 0 is out of range (1..999999999)"},
    {"observed", "{'number_observed':1000000000}",
     "1000000000 is out of range (1..999999999)"},
    {"observed", "{'first_observed':" DEL "}",
     "missing required property 'first_observed' for type observed-data"},
    {"observed", "{'object_refs':" DEL "}",
     "missing required property 'object_refs' for type observed-data (or the "
     "deprecated 'objects')"},
    {"observed", "{'objects':{'0':{'type':'ipv4-addr','value':'1.2.3.4'}}}",
     "'objects' and 'object_refs' must not both be present"},
    {"observed", "{'object_refs':['" ID_INDICATOR "']}",
     "property 'object_refs'[0]: '" ID_INDICATOR "' is not the id of an SCO "
     "or an SRO"},
    {"observed", "{'object_refs':['" ID_REL "']}",
     "property 'object_refs': must contain at least one SCO id"},
    {"observed", "{'last_observed':'2015-01-01T00:00:00Z'}",
     "property 'last_observed': '2015-01-01T00:00:00Z' is earlier than "
     "first_observed"},
    {"observed-objects", "{'objects':{}}",
     "property 'objects': empty observable container"},
    {"observed-objects", "{'objects':{'0':{'value':'1.2.3.4'}}}",
     "property 'objects'.0: cyber-observable object without a string 'type'"},
    /* report, grouping, note, opinion */
    {"report", "{'published':" DEL "}",
     "missing required property 'published' for type report"},
    {"report", "{'object_refs':" DEL "}",
     "missing required property 'object_refs' for type report"},
    {"report", "{'object_refs':[]}", "property 'object_refs': empty list"},
    {"report", "{'name':" DEL "}",
     "missing required property 'name' for type report"},
    {"grouping", "{'context':" DEL "}",
     "missing required property 'context' for type grouping"},
    {"note", "{'content':" DEL "}",
     "missing required property 'content' for type note"},
    {"note", "{'object_refs':['bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061']}",
     "is not the id of a STIX object"},
    {"opinion", "{'opinion':'maybe'}",
     "property 'opinion': 'maybe' is not one of: strongly-disagree, disagree, "
     "neutral, agree, strongly-agree"},
    /* malware */
    {"malware", "{'name':" DEL "}",
     "missing required property 'name' for type malware (a malware family "
     "must be named)"},
    {"malware", "{'is_family':'true'}",
     "property 'is_family': expected a boolean, got a string"},
    {"malware", "{'sample_refs':['" ID_IPV4 "']}",
     "property 'sample_refs'[0]: '" ID_IPV4 "' is not the id of a file or an "
     "artifact"},
    {"malware", "{'operating_system_refs':['" ID_FILE "']}",
     "is not a software id"},
    {"malware", "{'last_seen':'2015-01-01T00:00:00Z'}",
     "property 'last_seen': '2015-01-01T00:00:00Z' is earlier than "
     "first_seen"},
    /* location */
    {"location", "{'region':" DEL "}",
     "type location needs at least one of 'region', 'country', or 'latitude' "
     "and 'longitude'"},
    {"location-point", "{'latitude':91}",
     "property 'latitude': 91 is not between -90 and 90"},
    {"location-point", "{'longitude':-180.5}",
     "property 'longitude': -180.5 is not between -180 and 180"},
    {"location-point", "{'longitude':" DEL "}",
     "latitude and longitude must be given together"},
    {"location", "{'precision':10}",
     "property 'precision': precision requires latitude and longitude"},
    {"location-point", "{'latitude':'10'}",
     "property 'latitude': expected a number, got a string"},
    /* malware-analysis */
    {"malanalysis", "{'result':" DEL "}",
     "missing required property 'result' for type malware-analysis (or "
     "'analysis_sco_refs')"},
    {"malanalysis", "{'product':" DEL "}",
     "missing required property 'product' for type malware-analysis"},
    {"malanalysis", "{'sample_ref':'" ID_MALWARE "'}",
     "is not the id of a file, a network-traffic or an artifact"},
    /* marking-definition */
    {"marking", "{'definition_type':" DEL "}",
     "missing required property 'definition_type' for type "
     "marking-definition (when 'extensions' is absent)"},
    {"marking", "{'definition':" DEL "}",
     "missing required property 'definition' for type marking-definition"},
    {"marking", "{'definition':{'text':'x'}}",
     "property 'definition': missing required property 'statement' "
     "(definition_type is statement)"},
    {"marking", "{'definition':'Copyright'}",
     "property 'definition': expected an object, got a string"},
    {"marking", "{'created':" DEL "}",
     "missing required property 'created' for type marking-definition"},
    {"tlp", "{'id':'marking-definition--11111111-1111-4111-8111-111111111111'}",
     "a TLP:white marking definition must be the predefined one "
     "(id " ID_TLP_WHITE ")"},
    {"tlp", "{'definition':{'tlp':'purple'}}",
     "property 'definition'.tlp: 'purple' is not one of: white, green, amber, "
     "red"},
    {"marking",
     "{'object_marking_refs':['" ID_TLP_WHITE "','marking-"
     "definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd']}",
     "property 'object_marking_refs'[1]: a marking definition cannot mark "
     "itself"},
    {"marking",
     "{'granular_markings':[{'selectors':['definition_type'],"
     "'marking_ref':'marking-definition--4a0042fe-8b88-40fe-9600-"
     "dfa128ce6fbd'}]}",
     "property 'granular_markings'[0].marking_ref: a marking definition "
     "cannot mark itself"},
    {"tlp2", "{'extensions':" DEL "}",
     "missing required property 'definition_type' for type "
     "marking-definition"},
    /* extension-definition */
    {"extdef", "{'created_by_ref':" DEL "}",
     "missing required property 'created_by_ref' for type "
     "extension-definition"},
    {"extdef", "{'schema':" DEL "}",
     "missing required property 'schema' for type extension-definition"},
    {"extdef", "{'version':" DEL "}", "missing required property 'version'"},
    {"extdef", "{'extension_types':['new-thing']}",
     "property 'extension_types'[0]: 'new-thing' is not one of: new-sdo, "
     "new-sco, new-sro, property-extension, toplevel-property-extension"},
    {"extdef", "{'extension_properties':['rank']}",
     "property 'extension_properties': only allowed when extension_types "
     "includes toplevel-property-extension"},
    /* language-content */
    {"langc", "{'contents':" DEL "}",
     "missing required property 'contents' for type language-content"},
    {"langc", "{'object_ref':" DEL "}",
     "missing required property 'object_ref' for type language-content"},
    {"langc", "{'contents':{'de':'Name'}}",
     "property 'contents'.de: expected a non-empty object of translated "
     "properties, got a string"},
    {"langc", "{'contents':{'de fr':{'name':'x'}}}",
     "property 'contents': dictionary key 'de fr' is not 1-250 ASCII "
     "letters"},
    {"langc", "{'object_ref':'bundle--b86bd89f-98bb-4fa9-8cb2-9ad421da981d'}",
     "property 'object_ref': 'bundle--b86bd89f-98bb-4fa9-8cb2-9ad421da981d' "
     "is not the id of a STIX object"},
    /* SCOs */
    {"ipv4", "{'value':" DEL "}",
     "missing required property 'value' for type ipv4-addr"},
    {"ipv4", "{'value':167772161}",
     "property 'value': expected a string, got an integer"},
    {"ipv4",
     "{'resolves_to_refs':['ipv6-addr--85a85a8c-ee99-5722-946d-3c3a3270fc6f']}",
     "is not a mac-addr id"},
    {"ipv4", "{'defanged':'no'}",
     "property 'defanged': expected a boolean, got a string"},
    {"file", "{'name':" DEL ",'hashes':" DEL "}",
     "missing required property 'hashes' for type file (or 'name')"},
    {"file", "{'hashes':{'MD5':'xyz'}}",
     "property 'hashes'.MD5: 'xyz' is not a 32-digit hexadecimal MD5 digest"},
    {"file", "{'hashes':{'SHA-256':5}}",
     "property 'hashes'.SHA-256: expected a string, got an integer"},
    {"file", "{'hashes':{}}", "property 'hashes': empty hashes dictionary"},
    {"file", "{'hashes':{'ab':'x'}}",
     "property 'hashes': hash algorithm name 'ab' is not 3-250"},
    {"file", "{'size':-1}",
     "property 'size': -1 is out of range (0..9007199254740991)"},
    {"file", "{'magic_number_hex':'FFD8'}",
     "property 'magic_number_hex': 'FFD8' is not hex"},
    {"file", "{'magic_number_hex':'abc'}", "'abc' is not hex"},
    {"file", "{'extensions':{'archive-ext':{'comment':'x'}}}",
     "property 'extensions'.archive-ext: missing required property "
     "'contains_refs'"},
    {"file", "{'extensions':{'archive-ext':{'contains_refs':['" ID_IPV4 "']}}}",
     "property 'extensions'.archive-ext.contains_refs[0]: '" ID_IPV4
     "' is not the id of a file or a directory"},
    {"file", "{'extensions':{'ntfs-ext':{}}}",
     "property 'extensions'.ntfs-ext: ntfs-ext needs at least one of its "
     "properties"},
    {"file", "{'extensions':{'windows-pebinary-ext':{'pe_type':'exe'}}}",
     "property 'extensions'.windows-pebinary-ext: needs a property besides "
     "pe_type"},
    {"file",
     "{'extensions':{'windows-pebinary-ext':{'pe_type':'exe','sections':[{"
     "'size':1}]}}}",
     "property 'extensions'.windows-pebinary-ext.sections[0]: missing "
     "required property 'name'"},
    {"file",
     "{'parent_directory_ref':'file--7d1e3a18-89e7-5bc5-be36-9879f5b7f5c8'}",
     "property 'parent_directory_ref': 'file--7d1e3a18-89e7-5bc5-be36-"
     "9879f5b7f5c8' is not a directory id"},
    {"traffic", "{'src_ref':" DEL "}",
     "missing required property 'src_ref' for type network-traffic (or "
     "'dst_ref')"},
    {"traffic", "{'protocols':" DEL "}",
     "missing required property 'protocols' for type network-traffic"},
    {"traffic", "{'dst_port':65536}",
     "property 'dst_port': 65536 is out of range (0..65535)"},
    {"traffic", "{'src_ref':'url--47c3cf9a-5027-5bf0-997a-017c7edc7c55'}",
     "is not the id of an ipv4-addr, an ipv6-addr, a mac-addr or a "
     "domain-name"},
    {"traffic", "{'is_active':true}",
     "property 'end': not allowed when is_active is true"},
    {"traffic", "{'end':'2015-01-01T00:00:00Z'}",
     "property 'end': '2015-01-01T00:00:00Z' is earlier than start"},
    {"traffic",
     "{'extensions':{'socket-ext':{'address_family':'AF_INET','socket_type':"
     "'SOCK_FOO'}}}",
     "property 'extensions'.socket-ext.socket_type: 'SOCK_FOO' is not one of"},
    {"traffic", "{'extensions':{'http-request-ext':{'request_method':'get'}}}",
     "property 'extensions'.http-request-ext: missing required property "
     "'request_value'"},
    {"traffic",
     "{'extensions':{'icmp-ext':{'icmp_type_hex':'08',"
     "'icmp_code_hex':'0'}}}",
     "property 'extensions'.icmp-ext.icmp_code_hex: '0' is not hex"},
    {"traffic", "{'extensions':{'tcp-ext':{}}}",
     "tcp-ext needs at least one of its properties"},
    {"traffic", "{'ipfix':{'bad key':1}}",
     "property 'ipfix': dictionary key 'bad key' is not 1-250 ASCII"},
    {"traffic", "{'ipfix':{'k':null}}",
     "property 'ipfix'.k: null is not a valid dictionary value"},
    {"traffic", "{'ipfix':{'k':[]}}",
     "property 'ipfix'.k: an empty list is not a valid dictionary value"},
    {"email", "{'is_multipart':" DEL "}",
     "missing required property 'is_multipart' for type email-message"},
    {"email", "{'is_multipart':true}",
     "property 'body': not allowed when is_multipart is true"},
    {"email", "{'body_multipart':[{'body':'x'}]}",
     "property 'body_multipart': not allowed when is_multipart is false"},
    {"email",
     "{'is_multipart':true,'body':" DEL ",'body_multipart':[{'content_type':"
     "'text/plain'}]}",
     "property 'body_multipart'[0]: a MIME part has exactly one of 'body' or "
     "'body_raw_ref'"},
    {"email", "{'from_ref':'" ID_IPV4 "'}", "is not an email-addr id"},
    {"email", "{'date':'yesterday'}",
     "property 'date': 'yesterday' is not an RFC 3339 UTC timestamp"},
    {"artifact",
     "{'url':'https://x','hashes':{'MD5':'3773a88f65a5e780c8dff9cdc3a056f3'}}",
     "'payload_bin' and 'url' must not both be present"},
    {"artifact", "{'payload_bin':'not base64!'}",
     "property 'payload_bin': not a base64 string"},
    {"artifact", "{'payload_bin':'SGVsbG8'}",
     "property 'payload_bin': not a base64 string"},
    {"artifact", "{'payload_bin':" DEL ",'url':'https://x'}",
     "missing required property 'hashes' for type artifact (when 'url' is "
     "present)"},
    {"artifact", "{'payload_bin':" DEL "}",
     "missing required property 'payload_bin' for type artifact (or 'url')"},
    {"artifact", "{'decryption_key':'k'}",
     "property 'decryption_key': not allowed without 'encryption_algorithm'"},
    {"artifact", "{'encryption_algorithm':'rot13'}",
     "property 'encryption_algorithm': 'rot13' is not one of: AES-256-GCM, "
     "ChaCha20-Poly1305, mime-type-indicated"},
    {"process", "{'pid':" DEL "}",
     "type process needs at least one of its own properties"},
    {"process", "{'pid':'1221'}",
     "property 'pid': expected an integer, got a string"},
    {"regkey", "{'values':[{}]}",
     "property 'values'[0]: windows-registry-value-type needs at least one of "
     "its properties"},
    {"regkey", "{'values':[{'data_type':'REG_FOO'}]}",
     "property 'values'[0].data_type: 'REG_FOO' is not one of"},
    {"mac", "{'value':'D2:FB:49:24:37:18'}",
     "property 'value': 'D2:FB:49:24:37:18' is not a MAC-48 address"},
    {"mac", "{'value':'d2:fb:49:24:37'}", "is not a MAC-48 address"},
    {"mac", "{'value':'d2-fb-49-24-37-18'}", "is not a MAC-48 address"},
    /* custom objects get the common checks */
    {"custom", "{'created':'yesterday'}",
     "property 'created': 'yesterday' is not an RFC 3339 UTC timestamp"},
    {"custom", "{'object_marking_refs':['" ID_IDENTITY "']}",
     "is not a marking-definition id"},
    {"custom", "{'id':'x-mitre-tactic--zz'}",
     "property 'id': 'x-mitre-tactic--zz' is not an identifier of the form "
     "x-mitre-tactic--UUID"},
    {"custom", "{'spec_version':'2.1'}",
     "property 'severity': reserved property name"},
};

/* Apply patch (members set, "<del>" members removed) to a copy of base. */
static json_t *patched(const neg *n) {
  json_t *obj = sq(find_base(n->base)->json);
  json_t *patch = sq(n->patch);
  const char *key;
  json_t *val;
  json_object_foreach(patch, key, val) {
    if (json_is_string(val) && !strcmp(json_string_value(val), "<del>"))
      json_object_del(obj, key);
    else
      json_object_set(obj, key, val);
  }
  json_decref(patch);
  return obj;
}

static void test_rules_enforced(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof negs / sizeof negs[0]; i++) {
    const neg *n = &negs[i];
    json_t *obj = patched(n);
    acc_stix_obj o, before;
    memset(&o, 0xa5, sizeof o);
    memcpy(&before, &o, sizeof o);
    acc_diag d = {{0}};
    acc_rc rc = acc_stix_validate(obj, &o, &d, NULL, NULL);
    if (rc != ACC_EINVAL)
      fail_msg("case %zu (%s + %s): accepted (rc %d)", i, n->base, n->patch,
               (int)rc);
    if (!strstr(d.msg, n->want))
      fail_msg("case %zu (%s + %s):\n  message %s\n  lacks   %s", i, n->base,
               n->patch, d.msg, n->want);
    /* the caller adds the object's id; the message does not repeat it */
    const char *id = json_string_value(json_object_get(obj, "id"));
    if (id && !strstr(n->patch, "'id'") && strstr(d.msg, id))
      fail_msg("case %zu: message repeats the object id: %s", i, d.msg);
    if (memcmp(&o, &before, sizeof o))
      fail_msg("case %zu: *out written on failure", i);
    /* the same failure without a diag is still a failure */
    assert_int_equal(acc_stix_validate(obj, &o, NULL, NULL, NULL), ACC_EINVAL);
    json_decref(obj);
  }
}

/* The exact wording of the messages the rest of Accord shows. */
static void test_message_wording(void **state) {
  (void)state;
  static const neg exact[] = {
      {"indicator", "{'valid_from':'2016-13-01T00:00:00Z'}",
       "property 'valid_from': '2016-13-01T00:00:00Z' is not an RFC 3339 UTC "
       "timestamp (expected e.g. 2016-01-01T00:00:00Z)"},
      {"indicator", "{'pattern':" DEL "}",
       "missing required property 'pattern' for type indicator"},
      {"indicator",
       "{'object_marking_refs':['" ID_TLP_WHITE "','" ID_TLP_GREEN
       "','" ID_IDENTITY "']}",
       "property 'object_marking_refs'[2]: '" ID_IDENTITY
       "' is not a marking-definition id"},
  };
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
    json_t *obj = patched(&exact[i]);
    acc_stix_obj o;
    acc_diag d;
    assert_int_equal(acc_stix_validate(obj, &o, &d, NULL, NULL), ACC_EINVAL);
    assert_string_equal(d.msg, exact[i].want);
    json_decref(obj);
  }
  /* long values are clipped, control characters do not break the line */
  json_t *obj = sq(find_base("indicator")->json);
  char big[400];
  memset(big, 'a', sizeof big - 1);
  big[0] = '\n';
  big[sizeof big - 1] = '\0';
  json_object_set_new(obj, "created", json_string(big));
  acc_stix_obj o;
  acc_diag d;
  assert_int_equal(acc_stix_validate(obj, &o, &d, NULL, NULL), ACC_EINVAL);
  assert_null(strchr(d.msg, '\n'));
  assert_non_null(strstr(d.msg, "...' is not an RFC 3339"));
  assert_true(strlen(d.msg) < 200);
  json_decref(obj);
}

static void test_not_an_object(void **state) {
  (void)state;
  acc_stix_obj o;
  acc_diag d;
  json_t *v = sq("[{'type':'indicator'}]");
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_EINVAL);
  assert_string_equal(d.msg, "not a JSON object (got a list)");
  json_decref(v);
  assert_int_equal(acc_stix_validate(NULL, &o, &d, NULL, NULL), ACC_EINVAL);
}

/* ---- what validation reports -------------------------------------------- */

static int64_t ts(const char *s) {
  int64_t us = 0;
  assert_int_equal(acc_time_parse(s, strlen(s), 1, &us), ACC_OK);
  return us;
}

static void test_result(void **state) {
  (void)state;
  acc_stix_obj o;
  acc_diag d;
  json_t *v = sq(find_base("malware")->json);
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  assert_string_equal(o.type, "malware");
  assert_string_equal(o.id, ID_MALWARE);
  assert_string_equal(o.spec_version, "2.1");
  assert_int_equal(o.kind, ACC_KIND_SDO);
  assert_int_equal(o.created_us, ts(TS_A));
  assert_int_equal(o.modified_us, ts("2016-05-01T00:00:00.123456Z"));
  assert_int_equal(o.revoked, 1);
  assert_null(o.created_by_ref);
  json_decref(v);

  v = sq(find_base("indicator")->json);
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  assert_int_equal(o.revoked, 0);
  assert_string_equal(o.created_by_ref, ID_IDENTITY);
  json_decref(v);

  /* no spec_version: 2.0, except SCOs (2.1 is their default) */
  static const struct {
    const char *base, *sv;
    acc_stix_kind kind;
    int versioned;
  } t[] = {
      {"indicator20", "2.0", ACC_KIND_SDO, 1},
      {"relationship", "2.1", ACC_KIND_SRO, 1},
      {"custom", "2.0", ACC_KIND_CUSTOM, 1},
      {"tlp", "2.1", ACC_KIND_META, 0},
      {"langc", "2.1", ACC_KIND_META, 1},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    v = sq(find_base(t[i].base)->json);
    assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
    assert_string_equal(o.spec_version, t[i].sv);
    assert_int_equal(o.kind, t[i].kind);
    assert_true(o.created_us != ACC_TIME_NONE);
    assert_int_equal(o.modified_us != ACC_TIME_NONE, t[i].versioned);
    json_decref(v);
  }
  v = sq(find_base("ipv4")->json);
  json_object_del(v, "spec_version");
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  assert_string_equal(o.spec_version, "2.1");
  assert_int_equal(o.kind, ACC_KIND_SCO);
  assert_int_equal(o.created_us, ACC_TIME_NONE);
  assert_int_equal(o.modified_us, ACC_TIME_NONE);
  json_decref(v);
  /* an explicit 2.0 */
  v = sq(find_base("indicator20")->json);
  json_object_set_new(v, "spec_version", json_string("2.0"));
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  assert_string_equal(o.spec_version, "2.0");
  json_decref(v);
  /* out may be NULL */
  v = sq(find_base("note")->json);
  assert_int_equal(acc_stix_validate(v, NULL, &d, NULL, NULL), ACC_OK);
  json_decref(v);
}

/* Custom properties anywhere, unknown ones on known types. */
static void test_custom_content(void **state) {
  (void)state;
  acc_stix_obj o;
  acc_diag d;
  json_t *v = sq(find_base("relationship")->json);
  json_object_set_new(v, "x_mitre_version", json_string("1.0"));
  json_object_set_new(v, "some_new_property", json_pack("{s:[]}", "a"));
  json_object_set_new(v, "source_ref",
                      json_string("x-mitre-analytic--1d2e3f4a-5b6c-4d7e-8f9a-"
                                  "0b1c2d3e4f5a"));
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  json_decref(v);
  /* uppercase hexadecimal in identifiers */
  v = sq(find_base("relationship")->json);
  json_object_set_new(
      v, "id",
      json_string("relationship--44298A74-BA52-4F0C-87A3-1824E67D7FAD"));
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  json_decref(v);
}

/* ---- SCO identifier warnings -------------------------------------------- */

typedef struct warnings {
  int n;
  char last[512];
} warnings;

static void on_warn(void *ctx, const char *msg) {
  warnings *w = ctx;
  w->n++;
  snprintf(w->last, sizeof w->last, "%s", msg);
}

static void test_sco_id_warning(void **state) {
  (void)state;
  acc_stix_obj o;
  acc_diag d;
  warnings w = {0, ""};
  json_t *v = sq(find_base("ipv4")->json);
  assert_int_equal(acc_stix_validate(v, &o, &d, on_warn, &w), ACC_OK);
  assert_int_equal(w.n, 0); /* the deterministic id */
  json_object_set_new(
      v, "id", json_string("ipv4-addr--28BB3599-77CD-5A82-A950-B5BC3CAF07C4"));
  assert_int_equal(acc_stix_validate(v, &o, &d, on_warn, &w), ACC_OK);
  assert_int_equal(w.n, 0); /* the same UUID */
  json_object_set_new(
      v, "id", json_string("ipv4-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956"));
  assert_int_equal(acc_stix_validate(v, &o, &d, on_warn, &w), ACC_OK);
  assert_int_equal(w.n, 1);
  assert_non_null(strstr(w.last, "property 'id'"));
  assert_non_null(strstr(w.last, "expected " ID_IPV4));
  /* without a callback: no warning, still valid */
  assert_int_equal(acc_stix_validate(v, &o, &d, NULL, NULL), ACC_OK);
  json_decref(v);
  /* no ID-contributing property: a UUIDv4 is right, no warning */
  v = sq(find_base("process")->json);
  assert_int_equal(acc_stix_validate(v, &o, &d, on_warn, &w), ACC_OK);
  assert_int_equal(w.n, 1);
  json_decref(v);
  /* SDOs are not checked */
  v = sq(find_base("indicator")->json);
  assert_int_equal(acc_stix_validate(v, &o, &d, on_warn, &w), ACC_OK);
  assert_int_equal(w.n, 1);
  json_decref(v);
}

/* ---- helpers and the catalogue ------------------------------------------ */

static void test_id_valid(void **state) {
  (void)state;
  assert_true(acc_stix_id_valid(ID_INDICATOR, NULL));
  assert_true(acc_stix_id_valid(ID_INDICATOR, "indicator"));
  assert_true(
      acc_stix_id_valid("x-mitre-tactic--2558FD61-8C75-4730-94C4-11926DB2A263",
                        "x-mitre-tactic"));
  /* with a type, only the prefix is compared (a bare-UUID check) */
  assert_true(
      acc_stix_id_valid("x--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "x"));
  assert_false(
      acc_stix_id_valid("x--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
  assert_false(acc_stix_id_valid(ID_INDICATOR, "malware"));
  assert_false(acc_stix_id_valid(ID_INDICATOR, "indicato"));
  assert_false(acc_stix_id_valid(NULL, NULL));
  assert_false(acc_stix_id_valid("", NULL));
  assert_false(acc_stix_id_valid("indicator", NULL));
  assert_false(acc_stix_id_valid("indicator--", NULL));
  assert_false(acc_stix_id_valid(
      "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
  assert_false(
      acc_stix_id_valid("in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
  assert_false(acc_stix_id_valid(
      "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
  assert_false(acc_stix_id_valid(
      "indicator---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", NULL));
  assert_false(acc_stix_id_valid(
      "indicator--8e2e2d2b-17d4-4cbf-938f98ee46b3cd3f", NULL));
  assert_false(acc_stix_id_valid(
      "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f ", NULL));
  assert_false(acc_stix_id_valid("indicator--{8e2e2d2b-17d4-4cbf-938f-98ee46b3"
                                 "cd3f}",
                                 NULL));
}

static void test_type_kind(void **state) {
  (void)state;
  assert_int_equal(acc_stix_type_kind("indicator"), ACC_KIND_SDO);
  assert_int_equal(acc_stix_type_kind("attack-pattern"), ACC_KIND_SDO);
  assert_int_equal(acc_stix_type_kind("relationship"), ACC_KIND_SRO);
  assert_int_equal(acc_stix_type_kind("sighting"), ACC_KIND_SRO);
  assert_int_equal(acc_stix_type_kind("ipv4-addr"), ACC_KIND_SCO);
  assert_int_equal(acc_stix_type_kind("x509-certificate"), ACC_KIND_SCO);
  assert_int_equal(acc_stix_type_kind("marking-definition"), ACC_KIND_META);
  assert_int_equal(acc_stix_type_kind("extension-definition"), ACC_KIND_META);
  assert_int_equal(acc_stix_type_kind("language-content"), ACC_KIND_META);
  assert_int_equal(acc_stix_type_kind("x-mitre-tactic"), ACC_KIND_CUSTOM);
  assert_int_equal(acc_stix_type_kind("bundle"), ACC_KIND_CUSTOM);
  assert_int_equal(acc_stix_type_kind(""), ACC_KIND_CUSTOM);
  assert_int_equal(acc_stix_type_kind(NULL), ACC_KIND_CUSTOM);
}

/* The table is sorted (binary search), complete, and self-consistent. */
static void test_catalogue(void **state) {
  (void)state;
  size_t n;
  const acc_type *t = acc_stix_type_table(&n);
  int count[5] = {0};
  for (size_t i = 0; i < n; i++) {
    if (i)
      assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
    assert_ptr_equal(acc_stix_type_find(t[i].name), &t[i]);
    assert_string_equal(t[i].body.name, t[i].name);
    assert_true(t[i].body.nprops <= ACC_STRUCT_MAX_PROPS);
    count[t[i].kind]++;
    for (unsigned j = 0; j < t[i].body.nprops; j++)
      for (unsigned k = j + 1; k < t[i].body.nprops; k++)
        assert_true(strcmp(t[i].body.props[j].name, t[i].body.props[k].name));
    if (t[i].kind == ACC_KIND_SCO && strcmp(t[i].name, "process"))
      assert_non_null(t[i].id_props);
    for (const char *const *p = t[i].id_props; p && *p; p++) {
      if (p[1])
        assert_true(strcmp(p[0], p[1]) < 0); /* already in JCS order */
      int listed = !strcmp(*p, "extensions");
      for (unsigned j = 0; j < t[i].body.nprops; j++)
        listed |= !strcmp(*p, t[i].body.props[j].name);
      if (!listed)
        fail_msg("%s: ID-contributing %s is not a property", t[i].name, *p);
    }
    for (const acc_struct *const *e = t[i].exts; e && *e; e++)
      assert_true((*e)->nprops <= ACC_STRUCT_MAX_PROPS);
  }
  assert_int_equal(count[ACC_KIND_SDO], 19);
  assert_int_equal(count[ACC_KIND_SRO], 2);
  assert_int_equal(count[ACC_KIND_SCO], 18);
  assert_int_equal(count[ACC_KIND_META], 3);
  assert_int_equal(count[ACC_KIND_CUSTOM], 0);
  assert_null(acc_stix_type_find("bundle"));
  assert_null(acc_stix_type_find("aaa"));
  assert_null(acc_stix_type_find("zzz"));
}

/* Every example object of the specification that is complete and correct
 * (tests/data/stix/spec-examples.json) validates. */
static void test_spec_examples(void **state) {
  (void)state;
  const char *dir = getenv("ACC_TESTDATA");
  char path[4096];
  snprintf(path, sizeof path, "%s/stix/spec-examples.json",
           dir ? dir : "tests/data");
  json_error_t err;
  json_t *all = json_load_file(path, 0, &err);
  if (!all) {
    if (!dir)
      skip();
    fail_msg("%s: %s", path, err.text);
  }
  size_t i;
  json_t *obj;
  json_array_foreach(all, i, obj) {
    acc_stix_obj o;
    acc_diag d;
    if (acc_stix_validate(obj, &o, &d, NULL, NULL))
      fail_msg("example %zu (%s): %s", i,
               json_string_value(json_object_get(obj, "id")), d.msg);
  }
  assert_true(i > 100);
  json_decref(all);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_objects),
      cmocka_unit_test(test_rules_enforced),
      cmocka_unit_test(test_message_wording),
      cmocka_unit_test(test_not_an_object),
      cmocka_unit_test(test_result),
      cmocka_unit_test(test_custom_content),
      cmocka_unit_test(test_sco_id_warning),
      cmocka_unit_test(test_id_valid),
      cmocka_unit_test(test_type_kind),
      cmocka_unit_test(test_catalogue),
      cmocka_unit_test(test_spec_examples),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
