#include <iostream>

#include "version.hpp"

int main() {
    std::cout << "codeguru-syncd " << codeguru::kVersion << "\n";
    return 0;
}
