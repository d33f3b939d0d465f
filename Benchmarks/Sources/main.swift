import Host
print("benchmarks")
