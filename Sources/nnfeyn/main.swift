print("nnfeyn")
