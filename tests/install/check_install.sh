#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the build into a scratch prefix, then build an outside program
# against it: with pkg-config (static, shared, and as a plug-in a host
# dlopens) and with CMake's find_package(ndisdma). Run each.
set -eu
build="$1"; src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir="$(ls -d "$tmp"/prefix/lib*/pkgconfig | head -1)"
export PKG_CONFIG_PATH="$libdir"
sed -i "s|^prefix=.*|prefix=$tmp/prefix|" "$libdir/ndisdma.pc" "$libdir/ndisdma-driver.pc"
cc -Wall -Werror -Wno-multichar $(pkg-config --cflags ndisdma) "$src/consumer.c" \
	-o "$tmp/consumer-static" $(pkg-config --libs --static ndisdma | sed 's/-lndisdma/-l:libndisdma.a/')
"$tmp/consumer-static"
cc -Wall -Werror -Wno-multichar $(pkg-config --cflags ndisdma) "$src/consumer.c" \
	-o "$tmp/consumer-shared" $(pkg-config --libs ndisdma) \
	-Wl,-rpath,"$(dirname "$libdir")"
"$tmp/consumer-shared"
# the consumer as C++ (the inline paths and their ABI under a C++ compiler)
c++ -x c++ -std=gnu++17 -Wall -Werror -Wno-multichar $(pkg-config --cflags ndisdma) \
	"$src/consumer.c" -x none -o "$tmp/consumer-cxx" $(pkg-config --libs ndisdma) \
	-Wl,-rpath,"$(dirname "$libdir")"
"$tmp/consumer-cxx"
# <ndisdma/ndisdma.h> before <ndis.h>
cc -Wall -Werror -Wno-multichar -DCONSUMER_NATIVE_FIRST $(pkg-config --cflags ndisdma) \
	"$src/consumer.c" -o "$tmp/consumer-native-first" $(pkg-config --libs ndisdma) \
	-Wl,-rpath,"$(dirname "$libdir")"
"$tmp/consumer-native-first"
# without the inline calls
cc -Wall -Werror -Wno-multichar -DNDISDMA_NO_INLINE $(pkg-config --cflags ndisdma) \
	"$src/consumer.c" -o "$tmp/consumer-no-inline" $(pkg-config --libs ndisdma) \
	-Wl,-rpath,"$(dirname "$libdir")"
"$tmp/consumer-no-inline"
# the consumer as a plug-in that a host without ndisdma dlopens
cc -Wall -Werror -Wno-multichar -fPIC -shared -DCONSUMER_PLUGIN \
	$(pkg-config --cflags ndisdma) "$src/consumer.c" -o "$tmp/consumer.so" \
	$(pkg-config --libs ndisdma) -Wl,-rpath,"$(dirname "$libdir")"
cc -Wall -Werror "$src/plugin_host.c" -o "$tmp/plugin_host" -ldl
"$tmp/plugin_host" "$tmp/consumer.so"
# a miniport from WDK-style source with the installed ndisdma-driver
# module: a shared object with no undefined symbol, in C and in C++,
# loaded through its DriverEntry by a host built with module ndisdma
drv="$src/../driver"
cc -Wall -Wextra -Werror -Wno-multichar $(pkg-config --cflags ndisdma-driver) -shared \
	-Wl,--no-undefined "$drv/wdkmp.c" -o "$tmp/wdkmp.so" $(pkg-config --libs ndisdma-driver) \
	-Wl,-rpath,"$(dirname "$libdir")"
c++ -x c++ -std=gnu++17 -Wall -Wextra -Werror -Wno-multichar $(pkg-config --cflags ndisdma-driver) \
	-shared -Wl,--no-undefined "$drv/wdkmp.c" -x none -o "$tmp/wdkmp-cxx.so" \
	$(pkg-config --libs ndisdma-driver) -Wl,-rpath,"$(dirname "$libdir")"
cc -Wall -Werror $(pkg-config --cflags ndisdma) "$drv/driver_host.c" -o "$tmp/driver_host" \
	$(pkg-config --libs ndisdma) -ldl -Wl,-rpath,"$(dirname "$libdir")"
"$tmp/driver_host" "$tmp/wdkmp.so"
"$tmp/driver_host" "$tmp/wdkmp-cxx.so"
mkdir "$tmp/cm"
cat > "$tmp/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(ndisdma REQUIRED)
add_executable(consumer $src/consumer.c)
target_link_libraries(consumer PRIVATE ndisdma::ndisdma_static)
add_library(wdkmp MODULE $drv/wdkmp.c)
target_link_libraries(wdkmp PRIVATE ndisdma::driver)
target_link_options(wdkmp PRIVATE -Wl,--no-undefined)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm/b" >/dev/null
"$tmp/cm/b/consumer"
"$tmp/driver_host" "$tmp/cm/b/libwdkmp.so"
echo "install, pkg-config (ndisdma, ndisdma-driver) and find_package all work"
