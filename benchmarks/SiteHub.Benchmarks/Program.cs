using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
