global using Micro.Testing;
