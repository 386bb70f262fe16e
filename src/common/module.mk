LIB_SRCS += $(wildcard src/common/*.cpp)
