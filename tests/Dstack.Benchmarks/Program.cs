using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Dstack.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
