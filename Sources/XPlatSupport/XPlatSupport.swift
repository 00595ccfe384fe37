// Services that run processes also write files: XPlatSupport hands them the bottom layer's file
// helpers (errno text, atomic writes, user file reads, temporary folders) with one import.

@_exported import XPlatSystem
