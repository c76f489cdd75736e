using System.Runtime.Versioning;

// anvil from npm is a Linux binary, and key files are checked with Unix permissions
[assembly: SupportedOSPlatform("linux")]
