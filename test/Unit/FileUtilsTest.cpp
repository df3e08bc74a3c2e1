//===- FileUtilsTest.cpp - writeFileAtomically ----------------------------===//

#include "swin/Support/FileUtils.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace {

Error writeHello(raw_ostream &os) {
  os << "hello\n";
  return Error::success();
}

TEST(FileUtils, RegularFileIsReplacedWhole) {
  SmallString<128> dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("swin-fileutils", dir));
  std::string path = (dir + "/out.txt").str();
  ASSERT_FALSE(static_cast<bool>(swin::writeFileAtomically(path, writeHello)));
  auto buffer = MemoryBuffer::getFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_EQ((*buffer)->getBuffer(), "hello\n");
  sys::fs::remove_directories(dir);
}

// A FIFO (like /dev/null or a terminal, not a regular file) is written in
// place; renaming a temporary file over it would replace the pipe. The read
// end is opened non-blocking first, so the write cannot block and a broken
// writer fails the test instead of hanging it.
TEST(FileUtils, FifoStaysAFifo) {
  SmallString<128> dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("swin-fileutils", dir));
  std::string path = (dir + "/pipe").str();
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  int readEnd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(readEnd, 0);
  Error error = swin::writeFileAtomically(path, writeHello);
  EXPECT_FALSE(static_cast<bool>(error)) << toString(std::move(error));
  char received[16] = {};
  ssize_t count = read(readEnd, received, sizeof(received) - 1);
  close(readEnd);
  EXPECT_EQ(std::string(received, count > 0 ? count : 0), "hello\n");
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  sys::fs::remove_directories(dir);
}

} // namespace
