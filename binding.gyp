# The C parts. "<!(node scripts/gen-contract.mjs)" writes
# preload/include/bia_contract.h, the names the C side shares with src/
# (the script says which), and names its directory: so every build that
# configures (npm run build, npm install, prebuildify) has it, made from
# the sources it compiles with.
{
  "targets": [
    {
      "target_name": "bia_native",
      "sources": ["native/addon.cc", "native/peercred.cc", "native/netwatch.cc", "native/flock.cc", "native/maptable.cc", "native/sched.cc", "native/usesock.cc", "native/streamconns.cc", "native/streamconns_js.cc", "native/unixlisten.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "preload/include"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"]
    },
    {
      "target_name": "bia_preload",
      "type": "shared_library",
      "product_name": "bia",
      "product_prefix": "lib",
      "include_dirs": ["<!(node scripts/gen-contract.mjs)", "preload/include", "preload/core"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "libraries": ["-ldl", "-lpthread"],
      "sources": ["<!@(ls -1 preload/core/*/*.c preload/hooks/*.c)"]
    },
    {
      "target_name": "bia_preload_musl",
      "type": "none",
      "actions": [{
        "action_name": "musl_preload",
        "inputs": ["<!@(ls -1 preload/core/*/*.c preload/core/*/*.h preload/hooks/*.c)", "scripts/musl-preload.mjs"],
        "outputs": ["<(PRODUCT_DIR)/musl/libbia.so"],
        "action": ["node", "scripts/musl-preload.mjs", "--optional", "<@(_outputs)"]
      }]
    },
    {
      "target_name": "bia_launcher",
      "type": "executable",
      "product_name": "bia",
      "include_dirs": ["<!(node scripts/gen-contract.mjs)", "preload/include", "preload/core"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
      "ldflags": ["-static"],
      "sources": ["<!@(ls -1 launcher/*.c)", "preload/core/exec/elfreach.c", "preload/core/client/protocol.c", "preload/core/client/maptable_file.c", "preload/core/client/socktrust.c"]
    },
    {
      "target_name": "bia_supervisor",
      "type": "executable",
      "product_name": "bia-supervise",
      "include_dirs": ["<!(node scripts/gen-contract.mjs)", "preload/include", "preload/core"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
      "ldflags": ["-static"],
      "libraries": ["-lpthread"],
      "sources": ["<!@(ls -1 supervisor/*.c)", "preload/core/client/protocol.c", "preload/core/client/maptable_file.c", "preload/core/client/socktrust.c", "preload/core/names/dnsconf.c"]
    }
  ]
}
