import Host
print("imagegen \(HostInfo.version)")
