import XPlatCommands

await XPlatCommand.runMain()
