// The nanoFramework build's identity: a board resolves assembly references by exact version, so the package's
// version and this one move together (Emailcore.Nano.nuspec).
[assembly: System.Reflection.AssemblyTitle("Emailcore.Nano.Relay")]
[assembly: System.Reflection.AssemblyProduct("Emailcore.Nano.Relay")]
[assembly: System.Reflection.AssemblyVersion("0.1.0.0")]
