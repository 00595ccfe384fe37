// XPlatDockerfile: placeholder guide, replaced below.
