// Compiles tests/support/precompiled.hpp, the header the test executables reuse (tests/CMakeLists.txt).
