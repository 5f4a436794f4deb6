using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(SiteHub.Benchmarks.CodecBenchmarks).Assembly).Run(args);
