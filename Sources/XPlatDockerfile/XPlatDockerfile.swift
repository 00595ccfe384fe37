// XPlatDockerfile: see the module guide in its main file.
