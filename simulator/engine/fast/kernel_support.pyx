# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The samplers' draws for the compiled loops (declared in kernel_support.pxd)."""

from libc.stdlib cimport free, malloc


cdef class Draws:
    def __cinit__(self, list samplers):
        self.samplers = samplers
        self.blocks = []
        self.drawn = <Py_ssize_t*>malloc((len(samplers) + 1) * sizeof(Py_ssize_t))
        self.sizes = <Py_ssize_t*>malloc((len(samplers) + 1) * sizeof(Py_ssize_t))
        if self.drawn == NULL or self.sizes == NULL:
            raise MemoryError()
        for number, sampler in enumerate(samplers):
            block, self.drawn[number] = sampler.current_block()
            self.blocks.append(block)
            self.sizes[number] = len(block)

    def __dealloc__(self):
        free(self.drawn)
        free(self.sizes)

    cdef double take(self, Py_ssize_t number) except? -1.0:
        cdef list block
        if self.drawn[number] >= self.sizes[number]:
            sampler = self.samplers[number]
            sampler.release(self.drawn[number])
            block, self.drawn[number] = sampler.current_block()
            self.blocks[number] = block
            self.sizes[number] = len(block)
        block = self.blocks[number]
        self.drawn[number] += 1
        return block[self.drawn[number] - 1]

    cdef int release(self) except -1:
        for number, sampler in enumerate(self.samplers):
            sampler.release(self.drawn[number])
        return 0
